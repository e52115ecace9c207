"""Demo certificates: the CEC's design (a fictional signatory) and the certificates of the national seminar for
TEC chairs (seed 000: "all participants received electronic certificates"), issued by its attendance rule."""

from __future__ import annotations

from saylau.commissions.models import Commission
from saylau.courses.models import Course
from saylau.training.models import Event, EventStatus

from . import services
from .models import Award, CertificateDesign


class CertificatesDemo:
    def build(self) -> dict:
        if Award.objects.exists():
            return {"certificates": 0, "course_certificates": 0}
        cec = Commission.objects.filter(code="CEC").first()
        seminar = Event.objects.filter(roadmap_item__number=16, status=EventStatus.HELD).first()
        if cec is None or seminar is None:
            return {"certificates": 0, "course_certificates": 0}
        CertificateDesign.objects.update_or_create(commission=cec, defaults={
            "signatory_name": "Ә. Т. Жақсыбеков",  # fictional
            "signatory_position_kk": "Қазақстан Республикасы Орталық сайлау комиссиясының хатшысы",
            "signatory_position_ru": "Секретарь Центральной избирательной комиссии Республики Казахстан",
        })
        award = Award.objects.create(kind="event", event=seminar, title_kk=seminar.title_kk,
                                     title_ru=seminar.title_ru, issuer=seminar.organiser,
                                     min_attendance_percent=75, automatic=True)
        issued = services.issue_due(award=award)
        return {"certificates": len(issued), "course_certificates": self._course(cec)}

    def _course(self, cec) -> int:
        """The distance course's certificate, for the demo learners who completed it."""
        course = Course.objects.filter(commission=cec, status="published").order_by("pk").first()
        if course is None:
            return 0
        award = Award.objects.create(kind="course", course=course, title_kk=course.title_kk,
                                     title_ru=course.title_ru, issuer=cec, automatic=True)
        return len(services.issue_due(award=award))
