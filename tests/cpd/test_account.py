"""CPD and the person's account: their records are in "download my data", go with the account when it is
deleted, and the profile's "Email me about CPD reflections" turns CPD emails off."""

import io
import json
import zipfile
from datetime import date

from sqlalchemy import func, select

from ep_events.cpd.certificates import certificate_for
from ep_events.cpd.models import CpdCertificate, CpdRecord
from ep_events.cpd.records import RecordAnswers, save_record
from ep_events.extensions import db
from tests import factories
from tests.conftest import sign_in

ANSWERS = RecordAnswers(cpd_type="Conference", title="Łódź conference 😀", activity_date=date(2027, 1, 20),
                        description="About =SUM(1)", learning="Learnt", impact="Impact")


def test_the_data_download_holds_the_persons_cpd_records_and_certificates(client, world):
    save_record(world.pat, None, ANSWERS, complete=True)
    save_record(world.sam, None, RecordAnswers(title="Sam's own"))
    certificate = certificate_for(world.pat, world.place)
    db.session.commit()
    sign_in(client, world.pat)
    response = client.post("/account/my-data")
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        data = json.loads(archive.read("my-data.json"))
        readme = archive.read("README.txt").decode()
        spreadsheet = archive.read("cpd_records.csv").decode("utf-8-sig")
    assert [(r["title"], r["status"], r["learning"]) for r in data["cpd_records"]] == [
        ("Łódź conference 😀", "complete", "Learnt")]
    assert [c["code"] for c in data["cpd_certificates"]] == [certificate.code]
    assert "Your CPD records and reflections" in readme
    assert "'About =SUM(1)" not in spreadsheet and "About =SUM(1)" in spreadsheet
    assert "Sam's own" not in json.dumps(data)


def test_deleting_the_account_deletes_the_persons_cpd(client, world):
    save_record(world.pat, None, ANSWERS, complete=True)
    certificate_for(world.pat, world.place)
    db.session.commit()
    sign_in(client, world.pat)
    response = client.post("/account/delete", data={"password": factories.PASSWORD, "understood": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count(CpdRecord.id))) == 0
    assert db.session.scalar(select(func.count(CpdCertificate.id))) == 0


def test_the_profile_turns_cpd_emails_off_and_on(client, world):
    sign_in(client, world.pat)
    page = client.get("/account").get_data(as_text=True)
    assert "Email me about CPD reflections" in page and 'name="cpd_emails" type="checkbox" value="y" checked' in page
    details = {"name": "Pat Practitioner", "job_title": "Social worker", "organisation": "other",
               "organisation_other": "Riverton"}
    assert client.post("/account", data=details).status_code == 302
    db.session.expire_all()
    assert db.session.get(type(world.pat), world.pat.id).cpd_emails is False
    client.post("/account", data={**details, "cpd_emails": "y"})
    db.session.expire_all()
    assert db.session.get(type(world.pat), world.pat.id).cpd_emails is True
