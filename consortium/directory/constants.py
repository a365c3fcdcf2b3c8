"""The directory's vocabulary: who may see a field, where entries come from, how syncs end."""

from __future__ import annotations

from django.db import models


class Visibility(models.TextChoices):
    """Who may see one field of one agency's entries. Nothing in the directory is public."""

    OWN = "own", "Own organisation only"
    PARTNERS = "partners", "Partner organisations (public bodies in the consortium)"
    SIGNED_IN = "signed_in", "Everyone signed in (suppliers too)"


# The fields an agency sets visibility for. "name" decides whether the entry is seen at all;
# "department" covers department and team.
VISIBILITY_FIELDS: dict[str, str] = {
    "name": "Name (whether the person appears at all)",
    "email": "E-mail",
    "phones": "Telephone numbers",
    "job_title": "Job title",
    "department": "Department and team",
    "job_function": "Job function",
    "service_types": "Service types",
    "location": "Location or building",
    "manager": "Manager",
}
DEFAULT_VISIBILITY = Visibility.PARTNERS


class JobFunction(models.TextChoices):
    """The controlled list of job functions (what someone does, whatever their title says)."""

    ADMINISTRATION = "administration", "Administration and business support"
    ADULT_SOCIAL_CARE = "adult_social_care", "Adult social care"
    CHILDRENS_SERVICES = "childrens_services", "Children's services"
    COMMUNICATIONS = "communications", "Communications and marketing"
    CUSTOMER_SERVICES = "customer_services", "Customer services"
    EDUCATION = "education", "Education"
    EMERGENCY_PLANNING = "emergency_planning", "Emergency planning and resilience"
    ENVIRONMENTAL_HEALTH = "environmental_health", "Environmental health"
    ESTATES = "estates", "Estates and facilities"
    FINANCE = "finance", "Finance"
    FIRE_AND_RESCUE = "fire_and_rescue", "Fire and rescue"
    HEALTH = "health", "Health"
    HIGHWAYS = "highways", "Highways and transport"
    HOUSING = "housing", "Housing"
    HR = "hr", "Human resources"
    ICT = "ict", "ICT and digital"
    LEGAL = "legal", "Legal and democratic services"
    LICENSING = "licensing", "Licensing"
    MANAGEMENT = "management", "Senior management"
    PLANNING = "planning", "Planning and building control"
    POLICING = "policing", "Policing"
    PROCUREMENT = "procurement", "Procurement"
    REVENUES_BENEFITS = "revenues_benefits", "Revenues and benefits"
    WASTE = "waste", "Waste and recycling"
    OTHER = "other", "Other"


class FeedKind(models.TextChoices):
    LDAP = "ldap", "LDAP directory (Active Directory, OpenLDAP)"
    FILE = "file", "Uploaded file (CSV or .xlsx)"


class LdapSecurity(models.TextChoices):
    LDAPS = "ldaps", "LDAPS (TLS from the start, usually port 636)"
    STARTTLS = "starttls", "StartTLS (upgrade a plain connection, usually port 389)"
    NONE = "none", "None (only on a private network)"


class Schedule(models.TextChoices):
    OFF = "off", "Only when asked"
    HOURLY = "hourly", "Every hour"
    DAILY = "daily", "Every day"


class SyncStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    APPLIED = "applied", "Applied"
    REFUSED = "refused", "Refused: nothing changed"
    FAILED = "failed", "Failed: nothing changed"


class SyncMode(models.TextChoices):
    ALL_OR_NOTHING = "all_or_nothing", "All or nothing: any bad row refuses the whole sync"
    APPLY_VALID = "apply_valid", "Apply the valid rows and report the others"


class SendMode(models.TextChoices):
    INDIVIDUAL = "individual", "One e-mail to each person"
    BCC = "bcc", "One e-mail with everyone in Bcc (sent in batches)"


class SendStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Stopped with an error"


# The target fields a feed's attribute map fills, with the LDAP attribute each usually
# comes from (Active Directory and inetOrgPerson names).
TARGET_FIELDS: dict[str, str] = {
    "external_id": "Unique id in the source (LDAP: the entry's DN unless mapped)",
    "given_name": "Given name",
    "family_name": "Family name",
    "preferred_name": "Preferred name",
    "email": "E-mail",
    "phones": "Telephone numbers (several allowed)",
    "job_title": "Job title",
    "department": "Department",
    "team": "Team",
    "job_function": "Job function (from the controlled list)",
    "service_types": "Service types (several allowed, or separated by ;)",
    "location": "Location or building",
    "manager": "Manager (DN, id or e-mail)",
}
DEFAULT_LDAP_MAP: dict[str, str] = {
    "given_name": "givenName",
    "family_name": "sn",
    "email": "mail",
    "phones": "telephoneNumber",
    "job_title": "title",
    "department": "ou",
    "team": "departmentNumber",
    "job_function": "employeeType",
    "service_types": "businessCategory",
    "location": "physicalDeliveryOfficeName",
    "manager": "manager",
}
DEFAULT_FILE_MAP: dict[str, str] = {
    "external_id": "id",
    "given_name": "given_name",
    "family_name": "family_name",
    "preferred_name": "preferred_name",
    "email": "email",
    "phones": "telephone",
    "job_title": "job_title",
    "department": "department",
    "team": "team",
    "job_function": "job_function",
    "service_types": "service_types",
    "location": "location",
    "manager": "manager",
}

SORTS: dict[str, str] = {
    "relevance": "Best match",
    "name": "Name",
    "organisation": "Organisation",
    "department": "Department",
    "job_title": "Job title",
    "job_function": "Job function",
    "location": "Location",
}
