"""Prices, orders, invoices, credit notes and payments. Every amount is integer pence.

Invoices, their lines, credit notes, their lines and payments are append-only: once written they are
never updated or deleted (a correction is a credit note). `_refuse_changes_to_issued_money` below makes
the ORM refuse any attempt, whatever code makes it.
"""

import enum
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from ep_events.bookings.models import db_enum
from ep_events.core.models import TimestampMixin, UTCDateTime
from ep_events.core.time import utcnow
from ep_events.extensions import db


class BillingItem(enum.Enum):
    """What an organiser puts a price on."""

    MEMBERSHIP = "membership"
    EXTRA_PLACE = "extra_place"

    @property
    def label(self) -> str:
        return {"membership": "Membership", "extra_place": "Extra place"}[self.value]


class DocumentKind(enum.Enum):
    """Each kind of numbered document has its own sequence per programme."""

    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class OrderStatus(enum.Enum):
    PLACED = "placed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class PaymentMethod(enum.Enum):
    BANK_TRANSFER = "bank_transfer"
    CARD = "card"
    CHEQUE = "cheque"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"bank_transfer": "Bank transfer", "card": "Card", "cheque": "Cheque", "other": "Other"}[self.value]


class BillingSettings(db.Model):
    """The organiser's invoice details and money rules for one programme."""

    __tablename__ = "billing_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), unique=True,
                                              nullable=False)
    legal_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    address: Mapped[str] = mapped_column(Text, nullable=False, default="")
    charity_number: Mapped[str] = mapped_column(String(50), nullable=False, default="")
    company_number: Mapped[str] = mapped_column(String(50), nullable=False, default="")
    vat_number: Mapped[str] = mapped_column(String(50), nullable=False, default="")
    payment_terms_days: Mapped[int] = mapped_column(nullable=False, default=30)
    how_to_pay: Mapped[str] = mapped_column(Text, nullable=False, default="")
    invoice_prefix: Mapped[str] = mapped_column(String(20), nullable=False, default="INV-")
    credit_note_prefix: Mapped[str] = mapped_column(String(20), nullable=False, default="CN-")

    programme = relationship("Programme")

    # The membership year's start is the programme's (Network Days read it too); set here with the invoice details.
    @property
    def membership_year_start_month(self) -> int:
        return self.programme.membership_year_start_month

    @membership_year_start_month.setter
    def membership_year_start_month(self, month: int) -> None:
        self.programme.membership_year_start_month = month

    @property
    def membership_year_start_day(self) -> int:
        return self.programme.membership_year_start_day

    @membership_year_start_day.setter
    def membership_year_start_day(self, day: int) -> None:
        self.programme.membership_year_start_day = day


class VatRate(db.Model):
    """The VAT rate from a date on (in basis points: 2000 is 20%); with no row, VAT is 0."""

    __tablename__ = "billing_vat_rate"
    __table_args__ = (
        UniqueConstraint("programme_id", "applies_from", name="uq_billing_vat_rate_programme_from"),
        CheckConstraint("rate_basis_points >= 0 AND rate_basis_points <= 10000", name="rate_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), nullable=False)
    applies_from: Mapped[date] = mapped_column(Date, nullable=False)
    rate_basis_points: Mapped[int] = mapped_column(nullable=False, default=0)


class Price(db.Model):
    """The price of an item from a date on; orders placed on or after that date pay it."""

    __tablename__ = "billing_price"
    __table_args__ = (
        UniqueConstraint("programme_id", "item", "applies_from", name="uq_billing_price_programme_item_from"),
        CheckConstraint("amount_pence >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), nullable=False)
    item: Mapped[BillingItem] = mapped_column(db_enum(BillingItem), nullable=False)
    amount_pence: Mapped[int] = mapped_column(BigInteger, nullable=False)
    applies_from: Mapped[date] = mapped_column(Date, nullable=False)


class DocumentCounter(db.Model):
    """The last number used for one kind of document in one programme.

    Issuing a document increments this row in the issuing transaction, which holds the row's lock until
    it commits: numbers are sequential, and a rolled-back issue gives its number back.
    """

    __tablename__ = "billing_document_counter"

    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="RESTRICT"), primary_key=True)
    kind: Mapped[DocumentKind] = mapped_column(db_enum(DocumentKind), primary_key=True)
    last_number: Mapped[int] = mapped_column(nullable=False, default=0)


class Order(TimestampMixin, db.Model):
    """An agency's order: who pays, where the invoice goes, and its lines at the prices of the day."""

    __tablename__ = "billing_order"
    __table_args__ = (
        Index("ix_billing_order_programme_organisation", "programme_id", "organisation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Money outlives people and settings: a programme or agency with orders cannot be deleted.
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="RESTRICT"), nullable=False)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="RESTRICT"), nullable=False)
    billing_contact_name: Mapped[str] = mapped_column(String(200), nullable=False)
    billing_contact_email: Mapped[str] = mapped_column(String(320), nullable=False)
    billing_address: Mapped[str] = mapped_column(Text, nullable=False)
    po_number: Mapped[str] = mapped_column(String(50), nullable=False, default="")
    # The agency said it does not use purchase orders (the PO number is then empty).
    no_po: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    placed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    status: Mapped[OrderStatus] = mapped_column(db_enum(OrderStatus), nullable=False, default=OrderStatus.PLACED)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    cancel_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")

    programme = relationship("Programme")
    organisation = relationship("Organisation")
    placed_by = relationship("User", foreign_keys=[placed_by_id])
    lines: Mapped[list["OrderLine"]] = relationship(back_populates="order", order_by="OrderLine.position",
                                                    cascade="all, delete-orphan")
    invoice: Mapped["Invoice | None"] = relationship(back_populates="order", uselist=False)

    @property
    def net_pence(self) -> int:
        return sum(line.net_pence for line in self.lines)

    @property
    def vat_pence(self) -> int:
        return sum(line.vat_pence for line in self.lines)

    @property
    def total_pence(self) -> int:
        return sum(line.line_total_pence for line in self.lines)


class _PricedLine:
    """The figures every line carries, fixed when it is written: later price or VAT changes never reach it."""

    description: Mapped[str] = mapped_column(String(300), nullable=False)
    item: Mapped[BillingItem] = mapped_column(db_enum(BillingItem), nullable=False)
    quantity: Mapped[int] = mapped_column(Integer, nullable=False)
    unit_price_pence: Mapped[int] = mapped_column(BigInteger, nullable=False)
    vat_basis_points: Mapped[int] = mapped_column(nullable=False)
    # quantity × unit price; VAT on that, rounded half-up to the penny; their sum.
    net_pence: Mapped[int] = mapped_column(BigInteger, nullable=False)
    vat_pence: Mapped[int] = mapped_column(BigInteger, nullable=False)
    line_total_pence: Mapped[int] = mapped_column(BigInteger, nullable=False)


class OrderLine(_PricedLine, db.Model):
    __tablename__ = "billing_order_line"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("billing_order.id", ondelete="CASCADE"), nullable=False,
                                          index=True)
    position: Mapped[int] = mapped_column(nullable=False, default=0)

    order: Mapped[Order] = relationship(back_populates="lines")


class Invoice(db.Model):
    """An issued invoice: its number, dates, and a copy of the seller's and customer's details as issued."""

    __tablename__ = "invoice"
    __table_args__ = (
        UniqueConstraint("programme_id", "number", name="uq_invoice_programme_number"),
        Index("ix_invoice_programme_organisation", "programme_id", "organisation_id"),
        Index("ix_invoice_programme_due", "programme_id", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="RESTRICT"), nullable=False)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="RESTRICT"), nullable=False)
    order_id: Mapped[int] = mapped_column(ForeignKey("billing_order.id", ondelete="RESTRICT"), unique=True,
                                          nullable=False)
    number: Mapped[int] = mapped_column(nullable=False)
    # The number as printed (prefix and zero-padded number), fixed when issued.
    reference: Mapped[str] = mapped_column(String(40), nullable=False)
    issued_on: Mapped[date] = mapped_column(Date, nullable=False)
    due_on: Mapped[date] = mapped_column(Date, nullable=False)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    seller_name: Mapped[str] = mapped_column(String(200), nullable=False)
    seller_address: Mapped[str] = mapped_column(Text, nullable=False)
    seller_charity_number: Mapped[str] = mapped_column(String(50), nullable=False)
    seller_company_number: Mapped[str] = mapped_column(String(50), nullable=False)
    seller_vat_number: Mapped[str] = mapped_column(String(50), nullable=False)
    how_to_pay: Mapped[str] = mapped_column(Text, nullable=False)
    customer_name: Mapped[str] = mapped_column(String(200), nullable=False)
    billing_contact_name: Mapped[str] = mapped_column(String(200), nullable=False)
    billing_contact_email: Mapped[str] = mapped_column(String(320), nullable=False)
    billing_address: Mapped[str] = mapped_column(Text, nullable=False)
    po_number: Mapped[str] = mapped_column(String(50), nullable=False)

    order: Mapped[Order] = relationship(back_populates="invoice")
    organisation = relationship("Organisation")
    lines: Mapped[list["InvoiceLine"]] = relationship(back_populates="invoice", order_by="InvoiceLine.position")
    credit_notes: Mapped[list["CreditNote"]] = relationship(back_populates="invoice", order_by="CreditNote.number")
    payments: Mapped[list["Payment"]] = relationship(back_populates="invoice", order_by="Payment.id")

    @property
    def total_pence(self) -> int:
        return sum(line.line_total_pence for line in self.lines)


class InvoiceLine(_PricedLine, db.Model):
    __tablename__ = "invoice_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id", ondelete="RESTRICT"), nullable=False, index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("billing_order_line.id", ondelete="RESTRICT"),
                                               unique=True, nullable=False)
    position: Mapped[int] = mapped_column(nullable=False)

    invoice: Mapped[Invoice] = relationship(back_populates="lines")
    order_line: Mapped[OrderLine] = relationship()


class CreditNote(db.Model):
    """Reverses an invoice, in full or for some of its lines, with the reason."""

    __tablename__ = "credit_note"
    __table_args__ = (UniqueConstraint("programme_id", "number", name="uq_credit_note_programme_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="RESTRICT"), nullable=False)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id", ondelete="RESTRICT"), nullable=False, index=True)
    number: Mapped[int] = mapped_column(nullable=False)
    reference: Mapped[str] = mapped_column(String(40), nullable=False)
    issued_on: Mapped[date] = mapped_column(Date, nullable=False)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, nullable=False)

    invoice: Mapped[Invoice] = relationship(back_populates="credit_notes")
    lines: Mapped[list["CreditNoteLine"]] = relationship(back_populates="credit_note",
                                                         order_by="CreditNoteLine.position")

    @property
    def total_pence(self) -> int:
        return sum(line.line_total_pence for line in self.lines)


class CreditNoteLine(_PricedLine, db.Model):
    """One invoice line reversed; an invoice line is credited at most once."""

    __tablename__ = "credit_note_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    credit_note_id: Mapped[int] = mapped_column(ForeignKey("credit_note.id", ondelete="RESTRICT"), nullable=False,
                                                index=True)
    invoice_line_id: Mapped[int] = mapped_column(ForeignKey("invoice_line.id", ondelete="RESTRICT"), unique=True,
                                                 nullable=False)
    position: Mapped[int] = mapped_column(nullable=False)

    credit_note: Mapped[CreditNote] = relationship(back_populates="lines")
    invoice_line: Mapped[InvoiceLine] = relationship()


class Payment(db.Model):
    """Money received against an invoice (part payments allowed)."""

    __tablename__ = "payment"
    __table_args__ = (CheckConstraint("amount_pence > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id", ondelete="RESTRICT"), nullable=False, index=True)
    amount_pence: Mapped[int] = mapped_column(BigInteger, nullable=False)
    received_on: Mapped[date] = mapped_column(Date, nullable=False)
    method: Mapped[PaymentMethod] = mapped_column(db_enum(PaymentMethod), nullable=False)
    reference: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    # The organiser confirmed that this pays more than was owed.
    overpayment: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    invoice: Mapped[Invoice] = relationship(back_populates="payments")


APPEND_ONLY = (Invoice, InvoiceLine, CreditNote, CreditNoteLine, Payment)


class AppendOnlyError(Exception):
    """Code tried to change or delete an issued invoice, credit note or payment: a bug, never a user's action."""


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_issued_money(session, _flush_context, _instances) -> None:
    for obj in session.deleted:
        if isinstance(obj, APPEND_ONLY):
            raise AppendOnlyError(f"{type(obj).__name__} {obj.id} cannot be deleted: issue a credit note instead")
    for obj in session.dirty:
        # Adding a payment or credit note to an invoice's collections is not a change to the invoice.
        if isinstance(obj, APPEND_ONLY) and session.is_modified(obj, include_collections=False):
            raise AppendOnlyError(f"{type(obj).__name__} {obj.id} cannot be changed: issue a credit note instead")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes_to_issued_money(state) -> None:
    if (state.is_update or state.is_delete) and state.bind_mapper is not None \
            and state.bind_mapper.class_ in APPEND_ONLY:
        raise AppendOnlyError(f"{state.bind_mapper.class_.__name__} rows cannot be changed or deleted")
