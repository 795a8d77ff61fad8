"""Auto-replies that do not say so in their headers: recognised by subject, by Exchange's
suppression header, and by the opening words of their body, in the languages our people write.

Kept narrow on purpose: a person who writes "I'm out of the office tomorrow, my VPN…" must still
get a ticket, so body phrases are those only a robot opens with.
"""

from __future__ import annotations

import re

# Prefixes auto-responders put in front of (or instead of) the original subject: the phrase,
# then a colon or nothing more ("Automatic reply: …"; never "Automatic reply stopped working").
_SUBJECT = re.compile(
    r"^\s*(?:"
    r"auto(?:matic)?[ -]?(?:reply|response|answer)|autoreply|auto"
    r"|out of (?:the )?office(?: auto ?reply)?|away from (?:the )?office|vacation (?:reply|notice)"
    r"|abwesenheits(?:notiz|meldung)|automatische antwort|nicht im b[üu]ro|urlaubsabwesenheit"
    r"|r[ée]ponse automatique|absence du bureau|absent\(e\)? du bureau|message d'absence"
    r"|respuesta autom[áa]tica|fuera de la oficina|ausente de la oficina"
    r"|risposta automatica|fuori sede|fuori ufficio|assente dall'ufficio"
    r"|automatisch antwoord|afwezigheidsbericht|niet aanwezig|afwezig"
    r"|resposta autom[áa]tica|fora do escrit[óo]rio|aus[êe]ncia"
    r"|autosvar|fr[åa]nvaro|frav[æa]r|automaattinen vastaus|poissa toimistolta"
    r"|odpowied[źz] automatyczna|poza biurem|automatick[áa] odpov[ěe]d[ťt]?|mimo kancel[áa][řr]"
    r"|automatikus v[áa]lasz|otomatik (?:yan[ıi]t|cevap)|ofis d[ıi]ş[ıi]nda"
    r"|автоответ|автоматический ответ|вне офиса|自动回复|自動回覆|自動応答|不在通知|자동 응답"
    r")\s*(?::|：|$)",
    re.IGNORECASE,
)
# Openings of auto-reply bodies (the first few hundred characters are read).
_BODY = re.compile(
    r"(?:"
    r"this is an auto(?:mated|matic)?[ -]?(?:generated )?(?:reply|response|message)"
    r"|i am (?:currently )?out of (?:the )?office (?:until|from|with|and will)"
    r"|i(?:'m| am) (?:currently )?(?:away|on (?:annual )?leave|on vacation) (?:until|from|and will"
    r"|with limited)"
    r"|thank you for your (?:e-?mail|message)\.? i (?:am|will be) (?:currently )?(?:out|away)"
    r"|ich bin (?:bis|vom|ab) .{0,40}(?:nicht im b[üu]ro|abwesend|nicht erreichbar)"
    r"|dies ist eine automatische (?:antwort|nachricht)"
    r"|je suis absent(?:e)? (?:du|jusqu)|ceci est une r[ée]ponse automatique"
    r"|estoy fuera de la oficina|esta es una respuesta autom[áa]tica"
    r"|sono fuori (?:sede|ufficio)|questa [èe] una risposta automatica"
    r"|ik ben (?:afwezig|niet aanwezig) (?:tot|van)|dit is een automatisch"
    r")",
    re.IGNORECASE,
)
_BODY_WINDOW = 400
# Exchange marks its own automatic mail (out-of-office, receipts) with these values.
_SUPPRESS_VALUES = frozenset({"all", "oof", "autoreply"})


def subject_says_auto_reply(subject: str) -> bool:
    return bool(_SUBJECT.search(subject or ""))


def body_says_auto_reply(text: str) -> bool:
    return bool(_BODY.search(" ".join((text or "")[:_BODY_WINDOW].split())))


def suppression_says_automatic(value: str) -> bool:
    """X-Auto-Response-Suppress: Exchange sets it on mail it generates itself."""
    words = {word.strip().lower() for word in (value or "").split(",")}
    return bool(words & _SUPPRESS_VALUES)
