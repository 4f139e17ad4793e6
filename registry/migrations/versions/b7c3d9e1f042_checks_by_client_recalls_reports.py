"""checks by distinct client, batch recalls, reports of suspected fakes

Revision ID: b7c3d9e1f042
Revises: 8a4d6c2b1e57
Create Date: 2026-12-01 19:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7c3d9e1f042'
down_revision = '8a4d6c2b1e57'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('label_runs') as batch_op:
        batch_op.add_column(sa.Column('printed_stars', sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column('printed_decision_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_label_runs_printed_decision_id_rating_decisions'),
            'rating_decisions', ['printed_decision_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('scans') as batch_op:
        batch_op.add_column(sa.Column('client_hash', sa.String(length=16), nullable=True))
    with op.batch_alter_table('label_checks') as batch_op:
        batch_op.add_column(sa.Column('clients', sa.Integer(), nullable=False,
                                      server_default='0'))
    # Scans recorded before clients were told apart: each label's looks so far are
    # taken as one client's (the count a buyer sees can only go down, never up).
    op.execute("UPDATE label_checks SET clients = 1 WHERE checks > 0")
    with op.batch_alter_table('label_checks') as batch_op:
        batch_op.alter_column('clients', server_default=None)

    op.create_table('label_clients',
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('serial_seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('client_hash', sa.String(length=16), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.Column('counted_hit', sa.Integer(), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_counted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], name=op.f('fk_label_clients_batch_id_batches'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('batch_id', 'serial_seq', 'client_hash', name=op.f('pk_label_clients'))
    )

    op.create_table('batch_recalls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('advice', sa.Text(), nullable=False),
    sa.Column('recalled_on', sa.Date(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('lifted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lifted_by_id', sa.Integer(), nullable=True),
    sa.Column('lift_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], name=op.f('fk_batch_recalls_batch_id_batches'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['lifted_by_id'], ['users.id'], name=op.f('fk_batch_recalls_lifted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_batch_recalls_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_batch_recalls'))
    )
    with op.batch_alter_table('batch_recalls') as batch_op:
        batch_op.create_index(batch_op.f('ix_batch_recalls_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index('uq_batch_recalls_active', ['batch_id'], unique=True,
                              sqlite_where=sa.text('lifted_at IS NULL'),
                              postgresql_where=sa.text('lifted_at IS NULL'))

    op.create_table('fake_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('address', sa.String(length=400), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('serial_seq', sa.Integer(), nullable=True),
    sa.Column('label_issued', sa.Boolean(), nullable=False),
    sa.Column('what_seen', sa.Text(), nullable=False),
    sa.Column('where_bought', sa.String(length=300), nullable=True),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.Column('client_hash', sa.String(length=32), nullable=True),
    sa.Column('status', sa.Enum('new', 'handled', name='reportstatus', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('handled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('handled_by_id', sa.Integer(), nullable=True),
    sa.Column('handling_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], name=op.f('fk_fake_reports_batch_id_batches'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['handled_by_id'], ['users.id'], name=op.f('fk_fake_reports_handled_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_fake_reports_product_id_products'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fake_reports'))
    )
    with op.batch_alter_table('fake_reports') as batch_op:
        batch_op.create_index(batch_op.f('ix_fake_reports_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_fake_reports_product_id'), ['product_id'], unique=False)


def downgrade():
    with op.batch_alter_table('fake_reports') as batch_op:
        batch_op.drop_index(batch_op.f('ix_fake_reports_product_id'))
        batch_op.drop_index(batch_op.f('ix_fake_reports_created_at'))
    op.drop_table('fake_reports')
    with op.batch_alter_table('batch_recalls') as batch_op:
        batch_op.drop_index('uq_batch_recalls_active')
        batch_op.drop_index(batch_op.f('ix_batch_recalls_batch_id'))
    op.drop_table('batch_recalls')
    op.drop_table('label_clients')
    with op.batch_alter_table('label_checks') as batch_op:
        batch_op.drop_column('clients')
    with op.batch_alter_table('scans') as batch_op:
        batch_op.drop_column('client_hash')
    with op.batch_alter_table('label_runs') as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_label_runs_printed_decision_id_rating_decisions'),
            type_='foreignkey')
        batch_op.drop_column('printed_decision_id')
        batch_op.drop_column('printed_stars')
