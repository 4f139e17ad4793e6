"""why an application was returned to its producer

Revision ID: 8a4d6c2b1e57
Revises: 5c1e2a9f7d30
Create Date: 2026-11-26 00:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8a4d6c2b1e57'
down_revision = '5c1e2a9f7d30'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rating_applications') as batch_op:
        batch_op.add_column(sa.Column('returned_reason', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('rating_applications') as batch_op:
        batch_op.drop_column('returned_reason')
