"""Demo knowledge base: published articles employees ask about most, and two known errors.

Made through the knowledge services (search words, versions); each is looked up by its title
first, so loading the demo again changes nothing.
"""

from __future__ import annotations

from servicedesk.catalog.models import Category, Service
from servicedesk.directory.models import Person
from servicedesk.knowledge.models import Article, KnownError
from servicedesk.knowledge.services import article_create, article_publish, known_error_record
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.models import Ticket

# (title, summary, keywords, service key, category number, body)
ARTICLES: list[tuple[str, str, str, str, int, str]] = [
    (
        "Reset your VPN password",
        "Forgot your VPN password or told it has expired? Reset it yourself in two minutes.",
        "remote access, GlobalProtect, expired password, locked out",
        "identity",
        2,
        "Your VPN password is your network password: changing one changes the other.\n\n"
        "1. On any computer or phone, open https://password.omes.ok.example.\n"
        "2. Sign in with your email address and answer your security questions, or use the "
        "code sent to your phone.\n"
        "3. Choose a new password: at least 14 characters, not one of your last 10.\n"
        "4. Wait five minutes, then reconnect GlobalProtect with the new password.\n\n"
        'If the reset page says your account is locked, see "Unlock your account".',
    ),
    (
        "Connect to the VPN from home",
        "Start GlobalProtect, sign in, and check that the connection is up.",
        "remote access, GlobalProtect, work from home, telework",
        "network",
        1,
        "1. Click the GlobalProtect globe in the system tray (bottom right).\n"
        "2. The portal is vpn.omes.ok.example; click Connect.\n"
        "3. Sign in with your email address and approve the MFA prompt on your phone.\n\n"
        "The globe shows a shield when you are connected. If it keeps spinning, check that your "
        "home internet works without the VPN, then restart the laptop.",
    ),
    (
        "Map a network printer",
        "Add a floor printer to your computer so that it appears in every print dialog.",
        "add printer, print server, printing",
        "printing",
        1,
        "1. Open Settings, Bluetooth & devices, Printers & scanners.\n"
        '2. Click Add device, then "Add manually".\n'
        '3. Choose "Select a shared printer by name" and type \\\\print01\\ followed by the '
        "printer's name on its label, for example \\\\print01\\HQ-2-210.\n"
        "4. Click Next; Windows installs the driver.\n\n"
        "Print a test page. If the printer is not found, you may not be on the office network: "
        "connect the VPN first.",
    ),
    (
        "Enrol in multi-factor authentication (MFA)",
        "Set up the Authenticator app before your first sign-in from outside the office.",
        "MFA, 2FA, two-factor, authenticator, security info",
        "identity",
        2,
        "1. Install Microsoft Authenticator on your phone from the App Store or Google Play.\n"
        "2. On your computer, open https://aka.ms/mysecurityinfo and sign in.\n"
        "3. Click Add sign-in method, choose Authenticator app, and scan the QR code with the "
        "app.\n"
        "4. Approve the test notification.\n\n"
        "Add your mobile number as a second method, so that a lost phone does not lock you out.",
    ),
    (
        "Rebuild your Outlook profile",
        "When Outlook will not open, keeps crashing or shows old mail, a new profile fixes most "
        "cases.",
        "email, mail profile, crash, not syncing, OST",
        "email",
        1,
        "1. Close Outlook.\n"
        "2. Open Control Panel, search for Mail, and open Mail (Microsoft Outlook).\n"
        "3. Click Show Profiles, then Add. Name it with today's date.\n"
        "4. Enter your name and email address; Outlook sets up the account.\n"
        '5. Choose "Always use this profile" and pick the new one. Click OK.\n\n'
        "Open Outlook: your mail downloads again, which can take an hour on a large mailbox.",
    ),
    (
        "Join the office Wi-Fi with a new device",
        "Connect a laptop or phone to OMES-Staff with your network account.",
        "wireless, wifi, onboarding, OMES-Staff, guest",
        "network",
        1,
        "Staff devices: choose the network OMES-Staff, sign in with your email address and "
        "network password, and accept the certificate named radius.omes.ok.example.\n\n"
        "Visitors and personal devices: choose OMES-Guest and accept the terms; it reaches the "
        "internet only.\n\n"
        "If OMES-Staff refuses your password right after a change, forget the network on the "
        "device and join it again.",
    ),
    (
        "Request access to a shared drive",
        "Ask for read or change access to a department's shared folder.",
        "network drive, file share, permissions, folder access, S: drive",
        "identity",
        2,
        "Access is granted by the folder's owner, usually your manager.\n\n"
        "1. Choose Request assistance on the portal home.\n"
        '2. Short description: "Access to" and the folder\'s path, e.g. \\\\files01\\licensing.\n'
        "3. Say whether you need to read or to change files, and who approves it.\n\n"
        "Once approved, sign out and back in for the drive to appear.",
    ),
    (
        "Set up an out-of-office reply",
        "Tell senders you are away, in Outlook or on the web.",
        "automatic replies, vacation, away message",
        "email",
        4,
        "Outlook: File, Automatic Replies, Send automatic replies. Set the dates, write one "
        "message for colleagues and one for outside senders, and click OK.\n\n"
        "Outlook on the web: Settings (the gear), Mail, Automatic replies.",
    ),
    (
        "Unlock your account after too many sign-in attempts",
        "Locked out after mistyping your password? It unlocks itself, or you can do it now.",
        "locked out, account locked, sign in, password",
        "identity",
        2,
        "An account locks for 15 minutes after 10 wrong passwords in a row.\n\n"
        'To unlock it at once, open https://password.omes.ok.example, choose "Unlock my '
        'account" and confirm with the code sent to your phone.\n\n'
        "An old password saved on a phone often causes repeated lockouts: update it in the "
        "phone's mail app.",
    ),
    (
        "Clear a stuck print queue",
        "Documents waiting forever in the queue? Cancel them and start again.",
        "printing, print queue, spooler, jammed",
        "printing",
        1,
        "1. Open Settings, Bluetooth & devices, Printers & scanners, and the printer.\n"
        "2. Click Open print queue, then Printer, Cancel all documents.\n"
        '3. If a job stays at "Deleting", restart the computer.\n\n'
        "If other people's jobs are stuck too, the printer itself needs the desk: report it.",
    ),
    (
        "Fix a second monitor that flickers or shows no signal",
        "Check the cable and the display settings before reporting a broken screen.",
        "display, screen, dock, docking station, HDMI, DisplayPort",
        "workstation",
        1,
        "1. Press Windows + P and choose Extend.\n"
        "2. Reseat both ends of the video cable; try the other port on the dock.\n"
        "3. Unplug the dock's power for 30 seconds, then plug it back in.\n\n"
        "If the screen still flickers with another cable, report it so the desk can swap it.",
    ),
]

# (title, service key, symptoms, root cause, workaround)
KNOWN_ERRORS: list[tuple[str, str, str, str, str]] = [
    (
        "Outlook asks for the password again and again after the mail migration",
        "email",
        "Outlook shows a password prompt every few minutes; the password is accepted but the "
        "prompt returns. Outlook on the web works.",
        "Cached sign-in tokens from before the tenant migration; the vendor is preparing a fix.",
        "1. Close every Office app.\n"
        "2. Open Credential Manager, Windows Credentials, and remove every entry that starts "
        "with MicrosoftOffice.\n"
        "3. Open Outlook and sign in once more. The prompt should not come back.",
    ),
    (
        "VPN disconnects after about 60 minutes on GlobalProtect 6.1",
        "network",
        'The VPN drops after about an hour and reconnects by itself, or shows "Not '
        'connected"; Teams calls freeze at that moment.',
        "",
        "Reconnect from the GlobalProtect globe. To stop it, install GlobalProtect 6.2 from "
        "Software Center (Available, Network tools) and restart.",
    ),
]


def _published(
    author: Person, values: tuple[str, str, str, str, int, str], **filing: object
) -> None:
    title, summary, keywords, _service, _category, body = values
    article = article_create(
        actor=author,
        title=title,
        summary=summary,
        keywords=keywords,
        body=body,
        **filing,  # type: ignore[arg-type]
    )
    article_publish(article, actor=author)


def load_knowledge(
    people: dict[str, Person], services: dict[str, Service], categories: dict[int, Category]
) -> int:
    """Articles and known errors not yet present; returns how many were made."""
    author = people["desk"]
    made = 0
    existing = set(Article.objects.values_list("title", flat=True))
    for values in ARTICLES:
        if values[0] in existing:
            continue
        _published(author, values, service=services[values[3]], category=categories.get(values[4]))
        made += 1
    recorded = set(KnownError.objects.values_list("title", flat=True))
    for title, service_key, symptoms, root_cause, workaround in KNOWN_ERRORS:
        if title in recorded:
            continue
        service = services[service_key]
        problem = Ticket.objects.filter(kind=TicketKind.PROBLEM, service=service).first()
        known_error_record(
            actor=author,
            title=title,
            symptoms=symptoms,
            root_cause=root_cause,
            workaround=workaround,
            service=service,
            problem=problem,
        )
        made += 1
    return made
