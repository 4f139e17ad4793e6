"""a certificate is renewed once

Revision ID: 5c1e2a9f7d30
Revises: dbbf8795d7c5
Create Date: 2026-11-26 00:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c1e2a9f7d30'
down_revision = 'dbbf8795d7c5'
branch_labels = None
depends_on = None


def upgrade():
    twice = op.get_bind().execute(sa.text(
        "SELECT renews_id FROM certifications WHERE renews_id IS NOT NULL "
        "GROUP BY renews_id HAVING count(*) > 1")).scalars().all()
    if twice:
        raise RuntimeError(
            "certifications renewed more than once (ids "
            f"{', '.join(map(str, twice))}): keep one renewal of each, then upgrade again")
    op.create_index(op.f('ix_certifications_renews_id'), 'certifications', ['renews_id'],
                    unique=True)


def downgrade():
    op.drop_index(op.f('ix_certifications_renews_id'), table_name='certifications')
