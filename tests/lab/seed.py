#!/usr/bin/env python3
"""Deterministic seed mail for the Confide lab, written as Maildirs for `doveadm import`.

Dates spread over the 12 months before --base-date; the same base date gives the same bytes.
The shared mailbox gets ordinary enquiries to both service lines, threads with replies in
Sent, HTML (some hostile), attachments, a few deleted items and a few malformed messages. The
personal mailboxes get private mail that the sent-folder guard must leave alone.
"""
import argparse
import datetime as dt
import os
import random
from email.message import EmailMessage
from email.utils import format_datetime

FIRST = ["Sam", "Alex", "Jo", "Chris", "Robin", "Jamie", "Kim", "Lee", "Pat", "Ash", "Drew", "Max"]
TOPICS = [
    ("Worried about my partner's texts", "He checks my phone every night and I'm scared to say anything."),
    ("Need advice about contact with my kids", "My ex says I can't see the children unless I do what he says."),
    ("I think I have a problem with my anger", "I shouted at my wife again and I want to stop before it gets worse."),
    ("Someone keeps turning up at my work", "A man I dated once waits outside my office most evenings."),
    ("Is this stalking?", "I get messages from new accounts every day after I blocked her."),
    ("Question about the helpline hours", "When can I call? I can only talk when he is out."),
    ("Following up on my last email", "Thank you for your reply. Things have got a bit worse since."),
    ("Can you help me find a course?", "My social worker said I should do a programme for my behaviour."),
]
LINES = ["phoneline@lab.test", "mensadvice@lab.test"]
SHARED = "helpline@lab.test"


class Maildir:
    def __init__(self, root):
        self.root, self.n = root, 0

    def add(self, folder, raw, when, seen):
        path = self.root if folder == "INBOX" else os.path.join(self.root, "." + folder)
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(path, sub), exist_ok=True)
        self.n += 1
        ts = int(when.timestamp())
        name = f"{ts}.M{self.n:06d}P1.lab:2,{'S' if seen else ''}"
        full = os.path.join(path, "cur", name)
        with open(full, "wb") as f:
            f.write(raw if isinstance(raw, bytes) else raw.as_bytes())
        os.utime(full, (ts, ts))


def msg(frm, to, subject, body, when, mid, in_reply_to=None, refs=None):
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = frm, to, subject
    m["Date"] = format_datetime(when)
    m["Message-ID"] = mid
    if in_reply_to:
        m["In-Reply-To"] = in_reply_to
        m["References"] = " ".join(refs or [in_reply_to])
    m.set_content(body)
    return m


def seed_shared(md, rng, base):
    threads = 0
    for i in range(48):
        when = base - dt.timedelta(days=rng.randint(1, 364), minutes=rng.randint(0, 1439))
        name = rng.choice(FIRST)
        sender = f"{name.lower()}.{i:02d}@example.org"
        subject, text = rng.choice(TOPICS)
        line = LINES[i % 2]
        mid = f"<seed-{i:03d}@example.org>"
        m = msg(f"{name} <{sender}>", line, subject, f"Hello,\n\n{text}\n\n{name}\n", when, mid)
        if i % 8 == 3:  # an attachment
            m.add_attachment(b"%PDF-1.4\n% lab placeholder\n", maintype="application", subtype="pdf", filename="letter.pdf")
        md.add("INBOX", m, when, seen=i % 3 != 0)
        if i % 3 == 0:  # a reply from the helpline, and sometimes the caller writes back
            threads += 1
            rwhen = when + dt.timedelta(hours=rng.randint(2, 30))
            rmid = f"<reply-{i:03d}@lab.test>"
            r = msg(f"Helpline <{SHARED}>", sender, "Re: " + subject,
                    f"Thank you for getting in touch. You are not alone.\n\n> {text}\n", rwhen, rmid, mid)
            md.add("Sent", r, rwhen, seen=True)
            if i % 6 == 0:
                fwhen = rwhen + dt.timedelta(days=rng.randint(1, 5))
                f = msg(f"{name} <{sender}>", line, "Re: " + subject, "Thank you, that helps.\n",
                        fwhen, f"<seed-{i:03d}-f@example.org>", rmid, [mid, rmid])
                md.add("INBOX", f, fwhen, seen=False)
    for i in range(6):  # HTML, some of it hostile: scripts, handlers, remote pixels, CSS imports
        when = base - dt.timedelta(days=rng.randint(1, 364))
        m = EmailMessage()
        m["From"], m["To"] = f"Newsletter {i} <news{i}@example.net>", LINES[i % 2]
        m["Subject"], m["Date"], m["Message-ID"] = f"HTML message {i}", format_datetime(when), f"<html-{i}@example.net>"
        m.set_content("Plain part of an HTML message.\n")
        m.add_alternative(
            "<html><head><style>@import url(https://tracker.example.net/a.css);</style></head><body>"
            f"<p>Hello from <b>HTML</b> message {i}.</p>"
            "<script>alert('x')</script><img src=x onerror=alert(1)>"
            "<img src=\"https://tracker.example.net/pixel.gif?id=42\" width=1 height=1>"
            "<a href=\"javascript:alert(2)\">click</a></body></html>", subtype="html")
        md.add("INBOX", m, when, seen=False)
    for i in range(2):  # deleted items
        when = base - dt.timedelta(days=rng.randint(1, 364))
        md.add("Trash", msg(f"Old <old{i}@example.org>", LINES[0], "Deleted enquiry", "No longer needed.\n",
                            when, f"<trash-{i}@example.org>"), when, seen=True)
    malformed = [
        b"From: broken@example.org\r\nTo: phoneline@lab.test\r\nSubject: Broken multipart\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"XYZ\"\r\n\r\n"
        b"--XYZ\r\nContent-Type: text/plain\r\n\r\nthe closing boundary never comes\r\n",
        b"From: charset@example.org\r\nTo: phoneline@lab.test\r\nSubject: =?x-unknown?Q?Bad_charset?=\r\n"
        b"Content-Type: text/plain; charset=x-unknown\r\n\r\nCaf\xe9 \xff\xfe text in no known charset\r\n",
        b"From: nodate@example.org\r\nSubject: No date and no message id\r\nThis line is not a header\r\n\r\nbody\r\n",
        b"From: b64@example.org\r\nTo: mensadvice@lab.test\r\nSubject: Bad base64\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n!!!not base64###\r\n",
        b"From: long@example.org\r\nTo: mensadvice@lab.test\r\nSubject: Long header\r\nX-Long: " + b"a" * 10000 +
        b"\r\n\r\nbody\r\n",
    ]
    for i, raw in enumerate(malformed):
        when = base - dt.timedelta(days=10 + i)
        md.add("INBOX", raw, when, seen=False)
    return threads


def seed_personal(md, rng, base, user):
    for i in range(4):
        when = base - dt.timedelta(days=rng.randint(1, 364))
        md.add("INBOX", msg(f"Colleague <hr{i}@example.com>", f"{user}@lab.test", f"Rota for week {i + 1}",
                            "Private staff mail.\n", when, f"<{user}-in-{i}@example.com>"), when, seen=True)
    for i in range(2):
        when = base - dt.timedelta(days=rng.randint(1, 364))
        md.add("Sent", msg(f"{user} <{user}@lab.test>", "friend@example.com", f"Lunch {i}",
                           "Private reply.\n", when, f"<{user}-out-{i}@lab.test>"), when, seen=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base-date", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    base = dt.datetime.fromisoformat(a.base_date).replace(hour=12, tzinfo=dt.timezone.utc)
    rng = random.Random(20261122)
    seed_shared(Maildir(os.path.join(a.out, "helpline")), rng, base)
    for user in ("advisor1", "advisor2", "manager1"):
        seed_personal(Maildir(os.path.join(a.out, user)), rng, base, user)


if __name__ == "__main__":
    main()
