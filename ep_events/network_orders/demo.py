"""Link the demo's Network memberships and extra places to the orders that paid for them (network_days' demo
names the places, billing's demo places the orders; neither knows the other)."""

from sqlalchemy import select

from ep_events.billing.models import BillingItem, Order, OrderLine
from ep_events.extensions import db
from ep_events.network_days.models import Membership, NetworkPlace, PlaceType

PROGRAMME = "coram-network"


def link_network_demo_orders(programmes: dict, organisations: dict) -> None:
    programme = programmes[PROGRAMME]
    lines = db.session.execute(select(OrderLine, Order).join(Order, Order.id == OrderLine.order_id).where(
        Order.programme_id == programme.id)).all()
    membership_order = {order.organisation_id: order.id for line, order in lines if line.item is BillingItem.MEMBERSHIP}
    extra_line = {order.organisation_id: line.id for line, order in lines if line.item is BillingItem.EXTRA_PLACE}
    for membership in db.session.execute(select(Membership).where(
            Membership.programme_id == programme.id, Membership.order_id.is_(None))).scalars():
        membership.order_id = membership_order.get(membership.agency_id)
    for place in db.session.execute(select(NetworkPlace).where(
            NetworkPlace.place_type == PlaceType.EXTRA, NetworkPlace.order_line_id.is_(None))).scalars():
        place.order_line_id = extra_line.get(place.agency_id)
    db.session.flush()
