"""Every scheduled job in one list: its command, what it does, the personal data it erases and after how long.

`flask <name>` runs each one (ep_events/cli.py makes the commands from this list), `make run` runs them in the
background, deploy/ starts a timer for each scheduled one, /admin/jobs shows them with their last run, and the
privacy page states each period from here: a changed setting shows on both pages.

Each run goes through `run_job`, which takes the job's lock and records the run (`core.jobs.run_recorded`).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ep_events.bookings.people import delete_unconfirmed_accounts
from ep_events.bookings.reminders import send_due_reminders
from ep_events.core.audit import erase_old_audit_details
from ep_events.core.jobs import run_recorded
from ep_events.cpd.drafts import create_cpd_drafts
from ep_events.cpd.nudges import send_cpd_nudges
from ep_events.extensions import db
from ep_events.invitations.entries import CONFIRM_FOR, erase_old_entries, expire_pending_entries
from ep_events.invitations.uploads import UPLOAD_TTL, discard_stale
from ep_events.network_days.enquiries import erase_old_enquiries
from ep_events.network_days.waitlist import expire_offers as expire_network_offers
from ep_events.notifications.mailings import queue_next_batch
from ep_events.notifications.outbox import purge_sent_bodies
from ep_events.surgeries.retention import DEFAULT_OUTLINE_RETENTION_DAYS, purge_expired_outlines
from ep_events.surgeries.waitlist import expire_offers as expire_surgery_offers
from ep_events.workshops.resources import discard_orphaned_files
from ep_events.workshops.waitlist import expire_offers as expire_workshop_offers

Config = Mapping[str, object]


@dataclass(frozen=True)
class Retention:
    """One kind of personal data a job erases, and when, in the words of the privacy page."""

    what: str
    period: Callable[[Config], str]


@dataclass(frozen=True)
class Step:
    """One piece of a job's work: the function (returning the rows it changed) and its line in the command's
    output ("outlines erased: 3")."""

    counted: str
    work: Callable[[], int]


@dataclass(frozen=True)
class ScheduledJob:
    name: str  # the command: `flask <name>`, and the job's lock and run records
    does: str  # for the admin page and `flask <name> --help`
    steps: tuple[Step, ...]
    erases: tuple[Retention, ...] = ()
    timing: Callable[[Config], str] | None = None  # when a job that erases nothing acts
    scheduled: bool = True  # False: another scheduled job does this too, so it has no timer of its own

    def period(self, config: Config) -> str:
        """The job's period in words for the admin page: each kind it erases with its period, or its timing."""
        if self.erases:
            return "; ".join(f"{retention.what}: {retention.period(config)}" for retention in self.erases)
        return self.timing(config) if self.timing else ""


def _hours(seconds: int) -> str:
    hours = seconds // 3600
    return f"{hours} hour" + ("" if hours == 1 else "s")


def _days(config: Config, key: str, times: int = 1) -> str:
    return f"{int(config[key]) * times} days"


OUTLINES = Retention(
    "Notes you add to a surgery booking about what you want to discuss",
    lambda c: f"{DEFAULT_OUTLINE_RETENTION_DAYS} days after the session, unless the programme sets another time")
ENQUIRIES = Retention(
    "An enquiry about bespoke training",
    lambda c: f"{_days(c, 'ENQUIRY_RETENTION_DAYS')} after the organisers answer it "
              f"({_days(c, 'ENQUIRY_RETENTION_DAYS', 2)} after it arrives if they never do)")
EMAILS = Retention(
    "A copy of each email we send you",
    lambda c: f"{_days(c, 'OUTBOX_RETENTION_DAYS')} after sending, then its text is erased; emails with a link to "
              "confirm your address or reset your password are erased as soon as they are sent")
UNCONFIRMED_ACCOUNTS = Retention(
    "An account whose email address is never confirmed",
    lambda c: f"{_days(c, 'UNCONFIRMED_ACCOUNT_DAYS')} after it was made, or after the last confirmation link "
              "it asked for, then it is deleted")
LIST_REQUESTS = Retention(
    "A request to join an invitation list that is never confirmed",
    lambda c: f"the link works for {CONFIRM_FOR.days} days; the request is deleted "
              f"{_days(c, 'LIST_ENTRY_RETENTION_DAYS')} after that")
LIST_LEAVERS = Retention(
    "Your name and details on an invitation list you leave",
    lambda c: f"{_days(c, 'LIST_ENTRY_RETENTION_DAYS')} after you leave; your email address alone stays on the "
              "list's do-not-email list, so that nobody can add it back")
AUDIT_DETAILS = Retention(
    "Names, email addresses and changed values in our record of changes",
    lambda c: f"{_days(c, 'AUDIT_DETAILS_RETENTION_DAYS')}, then erased; the record keeps what was done, when, "
              "and by which account number")
IMPORT_FILES = Retention(
    "A file of names and addresses an organiser uploads to an invitation list",
    lambda c: f"{_hours(UPLOAD_TTL)} after it is uploaded, or as soon as it is imported")


JOBS: tuple[ScheduledJob, ...] = (
    ScheduledJob(
        "send-reminders", "Queues the reminder emails now due before every booked place of every programme.",
        (Step("reminders queued", send_due_reminders),),
        timing=lambda c: "at the hours before each event that its programme sets (surgeries: 24 and 1 hours)"),
    ScheduledJob(
        "send-mailings", "Queues the next batch of an announcement's or event message's recipients into the outbox.",
        (Step("mailing recipients queued", queue_next_batch),),
        timing=lambda c: f"{c['MAILING_BATCH_PER_MINUTE']} recipients a minute"),
    ScheduledJob(
        "expire-offers", "Closes waiting-list offers past their time and offers the place to the next person waiting.",
        (Step("offers expired", expire_surgery_offers), Step("Network Day offers expired", expire_network_offers),
         Step("workshop offers expired", expire_workshop_offers)),
        timing=lambda c: "when an offer's time is up, as its programme sets"),
    ScheduledJob(
        "expire-list-entries", "Expires invitation-list requests not confirmed in time, and deletes entries that "
        "expired or left the list.",
        (Step("unconfirmed invitation list entries expired", expire_pending_entries),
         Step("invitation list entries erased", erase_old_entries)),
        erases=(LIST_REQUESTS, LIST_LEAVERS)),
    ScheduledJob(
        "purge-expired", "Erases booking outlines past their programme's retention time, and old training enquiries.",
        (Step("outlines erased", purge_expired_outlines), Step("training enquiries erased", erase_old_enquiries)),
        erases=(OUTLINES, ENQUIRIES)),
    ScheduledJob(
        "purge-outbox", "Blanks the text, calendar and attachments of emails sent longer ago than the period.",
        (Step("sent emails erased", purge_sent_bodies),),
        erases=(EMAILS,)),
    ScheduledJob(
        "purge-unconfirmed-accounts", "Deletes accounts whose address was never confirmed, releasing their places "
        "as deleting an account does.",
        (Step("unconfirmed accounts deleted", delete_unconfirmed_accounts),),
        erases=(UNCONFIRMED_ACCOUNTS,)),
    ScheduledJob(
        "purge-audit-details", "Blanks the names, addresses and values before and after in old audit log entries.",
        (Step("audit entries erased", erase_old_audit_details),),
        erases=(AUDIT_DETAILS,)),
    ScheduledJob(
        "purge-uploads", "Deletes invitation-list import files left unimported, and workshop resource files that "
        "no resource refers to.",
        (Step("import files deleted", discard_stale), Step("orphaned resource files deleted", discard_orphaned_files)),
        erases=(IMPORT_FILES,)),
    ScheduledJob(
        "create-cpd-drafts", "Drafts a CPD reflection for every attended place without one, emailing each person once.",
        (Step("CPD drafts created", create_cpd_drafts),),
        timing=lambda c: "within a minute of the attendance being marked (send-cpd-nudges drafts them too)",
        scheduled=False),
    ScheduledJob(
        "send-cpd-nudges", "Drafts CPD reflections, then reminds whoever is short of their CPD.",
        (Step("CPD drafts created", create_cpd_drafts), Step("CPD reminders queued", send_cpd_nudges)),
        timing=lambda c: "drafts at once; reminders from 1 September and again from 1 November"),
)


def job_named(name: str) -> ScheduledJob:
    return next(job for job in JOBS if job.name == name)


def scheduled() -> tuple[ScheduledJob, ...]:
    """The jobs with a timer of their own (deploy/ and `make run`)."""
    return tuple(job for job in JOBS if job.scheduled)


def retention_periods(config: Config) -> list[tuple[str, str]]:
    """(what, how long) for every kind of personal data a job erases, for the privacy page."""
    return [(retention.what, retention.period(config)) for job in JOBS for retention in job.erases]


def run_job(job: ScheduledJob) -> list[tuple[str, int]] | None:
    """Run the job's steps (each committed) as one recorded run; each step's count, or None when another
    instance is running the job and nothing was done."""
    counts: list[tuple[str, int]] = []

    def work() -> int:
        for step in job.steps:
            counts.append((step.counted, step.work() or 0))
            db.session.commit()
        return sum(count for _, count in counts)

    return None if run_recorded(job.name, work) is None else counts
