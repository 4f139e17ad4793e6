"""personal API tokens: shown once to their member, stored as a SHA-256, scoped to read
or write, revocable

Revision ID: a6356c04ca79
Revises: c68837c1cae9
Create Date: 2026-12-03 12:08:15.788378

"""
from alembic import op
import sqlalchemy as sa

import registry.models.base


# revision identifiers, used by Alembic.
revision = 'a6356c04ca79'
down_revision = 'c68837c1cae9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('scope', sa.Enum('read', 'write', name='tokenscope', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('last_used_at', registry.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', registry.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', registry.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
