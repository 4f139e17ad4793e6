"""The registry's tables, one module per table group."""
from .api_token import ApiToken, TokenScope
from .audit import AuditEntry
from .base import db
from .batch import (
                    BIZ_STEP_LABELS,
                    Batch,
                    BatchStatus,
                    BizStep,
                    EventType,
                    LabelFile,
                    LabelFileStatus,
                    LabelRun,
                    PrinterProfile,
                    TraceEvent,
)
from .cache_state import CacheState
from .certification import (
                    CERTIFICATION_KIND_LABELS,
                    Certification,
                    CertificationKind,
                    CertificationStatus,
)
from .decision import RatingDecision
from .files import StoredFile
from .notification import MailStatus, Notification
from .place import AdminUnit, UnitLevel
from .producer import PRODUCER_KIND_LABELS, Producer, ProducerKind
from .product import Product, ProductPhoto, ProductStatus
from .rating import (
                    APPLICATION_STATE_LABELS,
                    PENDING_STATES,
                    ApplicationEvidence,
                    ApplicationState,
                    CriteriaSet,
                    Criterion,
                    RatingApplication,
                    ScoreLine,
                    ScoreSheet,
)
from .recall import BatchRecall
from .report import FakeReport, ReportStatus
from .scan import ClientClass, LabelCheck, LabelClient, Scan
from .user import ROLE_LABELS, Role, User

__all__ = [
    "db", "AdminUnit", "UnitLevel", "Producer", "ProducerKind", "PRODUCER_KIND_LABELS",
    "Product", "ProductPhoto", "ProductStatus", "StoredFile", "Certification",
    "CertificationKind", "CertificationStatus", "CERTIFICATION_KIND_LABELS", "CriteriaSet",
    "Criterion", "RatingApplication", "ApplicationState", "APPLICATION_STATE_LABELS",
    "PENDING_STATES", "ApplicationEvidence", "ScoreSheet", "ScoreLine", "RatingDecision",
    "Batch", "BatchStatus", "LabelRun", "LabelFile", "LabelFileStatus", "PrinterProfile",
    "TraceEvent", "BizStep", "BIZ_STEP_LABELS", "EventType", "Scan", "ClientClass", "LabelCheck",
    "User", "Role", "ROLE_LABELS",
    "AuditEntry", "CacheState", "BatchRecall", "FakeReport", "ReportStatus", "LabelClient",
    "Notification", "MailStatus", "ApiToken", "TokenScope",
]
