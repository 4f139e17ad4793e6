"""label files made by workers; label runs keep their order token, start position,
the date printed beside the stars, the address printed and the expiry confirmation

Revision ID: e33d38f3174f
Revises: b7c3d9e1f042
Create Date: 2026-12-01 22:28:53.714163

"""
from alembic import op
import sqlalchemy as sa

import registry.models.base


# revision identifiers, used by Alembic.
revision = 'e33d38f3174f'
down_revision = 'b7c3d9e1f042'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('label_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('fmt', sa.String(length=4), nullable=False),
    sa.Column('dpi', sa.SmallInteger(), nullable=False),
    sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', name='labelfilestatus', native_enum=False, create_constraint=True, length=7), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=True),
    sa.Column('size', sa.BigInteger(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('started_at', registry.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', registry.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', registry.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("fmt IN ('pdf', 'tspl', 'zpl')", name=op.f('ck_label_files_fmt_known')),
    sa.CheckConstraint('done >= 0', name=op.f('ck_label_files_done_not_negative')),
    sa.ForeignKeyConstraint(['run_id'], ['label_runs.id'], name=op.f('fk_label_files_run_id_label_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_label_files')),
    sa.UniqueConstraint('run_id', 'fmt', 'dpi', name=op.f('uq_label_files_run_id_fmt_dpi'))
    )
    with op.batch_alter_table('label_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_label_files_run_id'), ['run_id'], unique=False)

    with op.batch_alter_table('label_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('order_token', sa.String(length=43), nullable=True))
        batch_op.add_column(sa.Column('start_position', sa.SmallInteger(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('stars_until', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('base_url', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('expired_confirmed', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_unique_constraint(batch_op.f('uq_label_runs_order_token'), ['order_token'])



def downgrade():
    with op.batch_alter_table('label_runs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_label_runs_order_token'), type_='unique')
        batch_op.drop_column('expired_confirmed')
        batch_op.drop_column('base_url')
        batch_op.drop_column('stars_until')
        batch_op.drop_column('start_position')
        batch_op.drop_column('order_token')

    with op.batch_alter_table('label_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_label_files_run_id'))

    op.drop_table('label_files')
