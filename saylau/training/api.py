import datetime

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from saylau.commissions.models import Person
from saylau.commissions.scoping import access_commission_by_id, people_visible_to
from saylau.core.errors import DomainError, NotFound

from . import selectors, services
from .models import Attendance, Audience, Event, Format, Kind, Session, TrainingLevel
from .scoping import access_event_by_id, access_session_by_id, can_manage_event

router = Router(tags=["training"])


class EventFilters(Schema):
    year: int | None = None
    region: str | None = Field(None, description="ISO 3166-2:KZ code")
    level: TrainingLevel | None = None
    audience: str | None = None
    format: Format | None = None
    status: str | None = None
    page: int = Field(1, ge=1)
    page_size: int = Field(100, ge=1, le=500)


class EventItem(Schema):
    id: int
    title_kk: str
    title_ru: str
    kind: str
    format: str
    level: str
    starts_on: datetime.date
    ends_on: datetime.date
    status: str
    parent: int | None
    region: str | None
    organiser: int


class EventPage(Schema):
    items: list[EventItem]
    count: int


class SpeakerOut(Schema):
    person_id: int | None
    name: str
    organisation: str
    position: str


class SessionOut(Schema):
    id: int
    day: datetime.date
    starts_at: datetime.time
    ends_at: datetime.time
    title_kk: str
    title_ru: str
    topic: str
    method: str
    speakers: list[SpeakerOut]


class EventDetail(EventItem):
    description_kk: str
    description_ru: str
    venue_address: str
    venue_room: str
    online_link: str
    capacity: int | None
    languages: list[str]
    audiences: list[str]
    roadmap_item: int | None
    trains_trainers: bool
    cancel_reason: str
    programme: list[SessionOut]


class EventIn(Schema):
    title_kk: str
    title_ru: str
    description_kk: str = ""
    description_ru: str = ""
    kind: Kind
    format: Format = Format.IN_PERSON
    level: TrainingLevel
    venue_address: str = ""
    venue_room: str = ""
    online_link: str = ""
    starts_on: datetime.date
    ends_on: datetime.date
    organiser: int
    audiences: list[str] = []
    languages: list[str] = ["kk", "ru"]
    capacity: int | None = None
    parent: int | None = None
    trains_trainers: bool = False


class SpeakerIn(Schema):
    person_id: int | None = Field(None, description="A person from the registry")
    name: str = Field("", description="An external speaker (when person_id is empty)")
    organisation: str = ""
    position: str = ""


class SessionIn(Schema):
    day: datetime.date
    starts_at: datetime.time
    ends_at: datetime.time
    title_kk: str
    title_ru: str
    topic: str = ""
    method: str = "lecture"
    speakers: list[SpeakerIn] = []


class EventPatch(Schema):
    title_kk: str | None = None
    title_ru: str | None = None
    description_kk: str | None = None
    description_ru: str | None = None
    venue_address: str | None = None
    venue_room: str | None = None
    online_link: str | None = None
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    capacity: int | None = None


class CancelIn(Schema):
    reason: str


class MaterialIn(Schema):
    title: str
    link: str


class EnrolIn(Schema):
    person_ids: list[int]


class EnrolOut(Schema):
    enrolled: int
    waitlisted: int
    pending: int
    already: int


class EnrolmentOut(Schema):
    id: int
    person_id: int
    surname: str
    first_name: str
    status: str
    source: str


class AttendanceIn(Schema):
    person_id: int
    present: bool = True


class AttendanceOut(Schema):
    person_id: int
    checked_in_at: datetime.datetime
    method: str
    late: bool


class CoverageRowOut(Schema):
    region: str
    audience: str
    target: int | None
    reached: int
    percent: float | None
    untrained_commissions_count: int
    untrained_commissions: list[dict]


class CoverageOut(Schema):
    year: int
    items: list[CoverageRowOut]


def _item(event: Event) -> dict:
    return {
        "id": event.pk, "title_kk": event.title_kk, "title_ru": event.title_ru, "kind": event.kind,
        "format": event.format, "level": event.level, "starts_on": event.starts_on, "ends_on": event.ends_on,
        "status": event.status, "parent": event.parent_id, "region": event.region.iso_code if event.region_id else None,
        "organiser": event.organiser_id,
    }


def _detail(event: Event) -> dict:
    sessions = event.sessions.prefetch_related(Prefetch("speakers__person"))
    return _item(event) | {
        "description_kk": event.description_kk, "description_ru": event.description_ru,
        "venue_address": event.venue_address, "venue_room": event.venue_room, "online_link": event.online_link,
        "capacity": event.capacity, "languages": event.languages,
        "audiences": list(event.audiences.values_list("code", flat=True)), "roadmap_item": event.roadmap_item_id,
        "trains_trainers": event.trains_trainers, "cancel_reason": event.cancel_reason,
        "programme": [
            {"id": s.pk, "day": s.day, "starts_at": s.starts_at, "ends_at": s.ends_at, "title_kk": s.title_kk,
             "title_ru": s.title_ru, "topic": s.topic, "method": s.method,
             "speakers": [{"person_id": sp.person_id, "name": sp.display_name, "organisation": sp.organisation,
                           "position": sp.position} for sp in s.speakers.all()]}
            for s in sessions
        ],
    }


def _manageable_event(user, event_id: int) -> Event:
    event = access_event_by_id(user, event_id)
    if not can_manage_event(user, event):
        raise NotFound("not_found", "Event not found.")
    return event


@router.get("/events", response=EventPage)
def list_events(request, filters: Query[EventFilters]):
    qs = selectors.event_list(request.auth, year=filters.year, region=filters.region, level=filters.level,
                              audience=filters.audience, format=filters.format, status=filters.status)
    offset = (filters.page - 1) * filters.page_size
    return {"items": [_item(e) for e in qs[offset:offset + filters.page_size]], "count": qs.count()}


@router.post("/events", response={201: EventDetail})
def create_event(request, payload: EventIn):
    data = payload.dict()
    organiser = access_commission_by_id(request.auth, data.pop("organiser"))
    audiences = list(Audience.objects.filter(code__in=data.pop("audiences")))
    parent_id = data.pop("parent")
    parent = access_event_by_id(request.auth, parent_id) if parent_id else None
    event = services.event_create(by=request.auth, organiser=organiser, parent=parent, audiences=audiences, **data)
    return Status(201, _detail(event))


@router.get("/events/{event_id}", response=EventDetail)
def get_event(request, event_id: int):
    return _detail(access_event_by_id(request.auth, event_id))


@router.post("/events/{event_id}/sessions", response={201: SessionOut})
def add_session(request, event_id: int, payload: SessionIn):
    event = _manageable_event(request.auth, event_id)
    data = payload.dict()
    speakers = []
    for speaker in data.pop("speakers"):
        person_id = speaker.pop("person_id")
        if person_id:
            speaker["person"] = get_object_or_404(people_visible_to(request.auth), pk=person_id)
        elif not speaker["name"]:
            raise DomainError("speaker_name", "A speaker needs a person_id or a name.")
        speakers.append(speaker)
    session = services.session_create(by=request.auth, event=event, speakers=speakers, **data)
    return Status(201, next(s for s in _detail(event)["programme"] if s["id"] == session.pk))


@router.patch("/events/{event_id}", response=EventDetail)
def update_event(request, event_id: int, payload: EventPatch):
    event = _manageable_event(request.auth, event_id)
    changes = payload.dict(exclude_unset=True)
    services.event_update(by=request.auth, event=event, **changes)
    return _detail(event)


@router.post("/events/{event_id}/cancel", response=EventDetail)
def cancel_event(request, event_id: int, payload: CancelIn):
    event = _manageable_event(request.auth, event_id)
    return _detail(services.event_cancel(by=request.auth, event=event, reason=payload.reason))


@router.post("/events/{event_id}/close", response=EventDetail)
def close_event(request, event_id: int):
    """Mark the event held; a training of trainers accredits those who attended enough."""
    event = _manageable_event(request.auth, event_id)
    services.event_close(by=request.auth, event=event)
    return _detail(event)


@router.post("/sessions/{session_id}/materials", response={201: dict})
def attach_material(request, session_id: int, payload: MaterialIn):
    session = access_session_by_id(request.auth, session_id)
    material = services.material_attach(by=request.auth, session=session, title=payload.title, link=payload.link)
    return Status(201, {"id": material.pk, "title": material.title, "link": material.link})


@router.get("/events/{event_id}/enrolments", response=list[EnrolmentOut])
def list_enrolments(request, event_id: int):
    event = _manageable_event(request.auth, event_id)
    return [
        {"id": e.pk, "person_id": e.person_id, "surname": e.person.surname, "first_name": e.person.first_name,
         "status": e.status, "source": e.source}
        for e in event.enrolments.select_related("person").order_by("person__surname", "pk")
    ]


@router.post("/events/{event_id}/enrolments", response=EnrolOut)
def enrol(request, event_id: int, payload: EnrolIn):
    event = _manageable_event(request.auth, event_id)
    found = {p.pk: p for p in people_visible_to(request.auth).filter(pk__in=payload.person_ids)}
    if len(found) != len(set(payload.person_ids)):
        raise DomainError("unknown_person", "Some people are not in your part of the registry.")
    # In the order given: when places run out, the waiting list follows the caller's list.
    result = services.enrol_list(by=request.auth, event=event, people=[found[pk] for pk in payload.person_ids])
    return {"enrolled": result.enrolled, "waitlisted": result.waitlisted, "pending": result.pending,
            "already": result.already}


@router.post("/sessions/{session_id}/attendance", response={200: AttendanceOut | None})
def mark_attendance(request, session_id: int, payload: AttendanceIn):
    session = access_session_by_id(request.auth, session_id)
    person = get_object_or_404(Person, pk=payload.person_id)
    attendance = services.attendance_mark(by=request.auth, session=session, person=person, present=payload.present)
    if attendance is None:
        return None
    return {"person_id": attendance.person_id, "checked_in_at": attendance.checked_in_at, "method": attendance.method,
            "late": attendance.late}


@router.get("/sessions/{session_id}/attendance", response=list[AttendanceOut])
def list_attendance(request, session_id: int):
    session: Session = access_session_by_id(request.auth, session_id)
    if not services.can_mark_attendance(request.auth, session):
        raise NotFound("not_found", "Session not found.")
    return list(Attendance.objects.filter(session=session).values("person_id", "checked_in_at", "method", "late"))


@router.get("/events/{event_id}/cascade")
def event_cascade(request, event_id: int):
    """The tree of events below this one: trainers, enrolled, attended, and distinct people reached per subtree."""
    event = access_event_by_id(request.auth, event_id)
    return selectors.cascade(request.auth, event).as_dict(iso_dates=True)


@router.get("/coverage", response=CoverageOut)
def coverage(request, year: int, region: str | None = None, audience: str | None = None):
    rows = selectors.coverage(request.auth, year=year, region=region, audience=audience)
    return {"year": year, "items": [
        {"region": r.region_iso, "audience": r.audience_code, "target": r.target, "reached": r.reached,
         "percent": r.percent, "untrained_commissions_count": r.untrained_count,
         "untrained_commissions": [{"id": pk, "code": code} for pk, code in r.untrained_commissions]}
        for r in rows
    ]}



class RoadmapItemIn(Schema):
    title_kk: str
    title_ru: str
    kind: Kind
    level: TrainingLevel
    audiences: list[str] = []
    partners: list[int] = []
    planned_month: int | None = Field(None, ge=1, le=12)
    planned_quarter: int | None = Field(None, ge=1, le=4)
    responsible: int
    funding: str = "none"
    planned_participants: int = Field(0, ge=0)


class RoadmapItemOut(Schema):
    id: int
    number: int
    title_kk: str
    title_ru: str
    kind: str
    level: str
    audiences: list[str]
    partners: list[int]
    planned_month: int | None
    planned_quarter: int | None
    responsible: int
    funding: str
    planned_participants: int
    status: str
    events: list[int]


class RoadmapIn(Schema):
    year: int = Field(..., ge=2000, le=2100)
    resolution_number: str
    resolution_date: datetime.date


class RoadmapOut(Schema):
    year: int
    resolution_number: str
    resolution_date: datetime.date
    items: list[RoadmapItemOut]


class TargetIn(Schema):
    year: int
    region: str
    audience: str
    target: int = Field(..., ge=0)


def _roadmap_out(roadmap) -> dict:
    items = roadmap.items.select_related("responsible").prefetch_related("audiences", "partners", "events")
    return {
        "year": roadmap.year, "resolution_number": roadmap.resolution_number,
        "resolution_date": roadmap.resolution_date,
        "items": [
            {"id": i.pk, "number": i.number, "title_kk": i.title_kk, "title_ru": i.title_ru, "kind": i.kind,
             "level": i.level, "audiences": [a.code for a in i.audiences.all()], "partners": [p.pk for p in i.partners.all()],
             "planned_month": i.planned_month, "planned_quarter": i.planned_quarter, "responsible": i.responsible_id,
             "funding": i.funding, "planned_participants": i.planned_participants,
             "status": selectors.roadmap_item_status(i), "events": [e.pk for e in i.events.all()]}
            for i in items
        ],
    }


@router.get("/roadmaps/{year}", response=RoadmapOut)
def get_roadmap(request, year: int):
    from .models import Roadmap

    roadmap = Roadmap.objects.filter(year=year).first()
    if roadmap is None:
        raise NotFound("not_found", "Roadmap not found.")
    return _roadmap_out(roadmap)


@router.post("/roadmaps", response={201: RoadmapOut})
def create_roadmap(request, payload: RoadmapIn):
    return Status(201, _roadmap_out(services.roadmap_create(by=request.auth, **payload.dict())))


@router.post("/roadmaps/{year}/items", response={201: RoadmapItemOut})
def create_roadmap_item(request, year: int, payload: RoadmapItemIn):
    from .models import Organisation, Roadmap

    roadmap = Roadmap.objects.filter(year=year).first()
    if roadmap is None:
        raise NotFound("not_found", "Roadmap not found.")
    data = payload.dict()
    audiences = list(Audience.objects.filter(code__in=data.pop("audiences")))
    partners = list(Organisation.objects.filter(pk__in=data.pop("partners")))
    data["responsible"] = access_commission_by_id(request.auth, data.pop("responsible"))
    item = services.roadmap_item_create(by=request.auth, roadmap=roadmap, audiences=audiences, partners=partners, **data)
    return Status(201, next(i for i in _roadmap_out(roadmap)["items"] if i["id"] == item.pk))


@router.put("/coverage/targets")
def set_coverage_target(request, payload: TargetIn):
    from saylau.commissions.models import Region

    region = Region.objects.filter(iso_code=payload.region.upper()).first()
    audience = Audience.objects.filter(code=payload.audience).first()
    if region is None or audience is None:
        raise DomainError("unknown_region_or_audience", "Unknown region or audience.")
    row = services.coverage_target_set(by=request.auth, year=payload.year, region=region, audience=audience,
                                       target=payload.target)
    return {"year": row.year, "region": region.iso_code, "audience": audience.code, "target": row.target}
