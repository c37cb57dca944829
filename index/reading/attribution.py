"""Attribution of an article's sentences: who makes each claim (`speaker`), the words that say so (`cue`) and how
(`kind`: a direct quote, reported speech, "according to", or the article's own voice).

Rule-based, on words rather than on a parse, so that it costs a small share of indexing. A sentence is cut into
tokens with its quotations blanked out; each cue (a reporting or belief verb, "according to", a participle such as
", saying", a name before a colon) looks for its speaker where English puts it: the noun phrase before the verb
(past an appositive: "Smith, 45, of Ohio, said"), after it ("said Smith"), after "according to", or the subject of
the main clause for a participle. Speakers are then resolved across the article: a pronoun to the latest speaker
it can stand for, a surname to the full name used before, a role ("the spokesman") to the person the article gave
that role. Quotations are followed across the sentences of a paragraph, and a quotation that opens a paragraph
right after an attributed one keeps its speaker."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from index.model import NO_ATTRIBUTION, Attribution, Sentence
from index.terms import word_set

# The version of these rules: an index attributed by other rules is re-attributed by the next `newsbot index`.
RULES_VERSION = 3  # 3: issue 23 (unattributed quotations, transcript turns, who may speak)

# --- words -------------------------------------------------------------------------------------------------------


def _forms(lemmas: str) -> frozenset[str]:
    """Return the verb forms (base, -s, -ed, -ing) of regular verbs written as one string of lemmas."""
    out: set[str] = set()
    for lemma in lemmas.split():
        out.add(lemma)
        if lemma.endswith("e"):
            out |= {lemma + "s", lemma + "d", lemma[:-1] + "ing"}
        elif lemma.endswith("y") and lemma[-2] not in "aeiou":
            out |= {lemma[:-1] + "ies", lemma[:-1] + "ied", lemma + "ing"}
        elif lemma.endswith(("sh", "ch", "ss", "x")):
            out |= {lemma + "es", lemma + "ed", lemma + "ing"}
        else:
            out |= {lemma + "s", lemma + "ed", lemma + "ing"}
    return frozenset(out)


# Verbs of saying, writing and believing: whoever is their subject makes the claim that follows.
_SAY_IRREGULAR = word_set(
    """
    say says said saying tell tells told telling write writes wrote writing written think thinks thought thinking
    tweet tweets tweeted tweeting retweeted
    """
)
_SAY = (_SAY_IRREGULAR | _forms(
    """
    add note argue announce insist deny warn acknowledge believe claim state explain confirm report suggest
    reply respond answer recall admit concede contend assert maintain declare predict estimate vow promise urge
    pledge allege testify stress emphasize emphasise observe remark reiterate repeat caution complain counter
    object assure boast brag lament joke quip muse speculate wonder hint signal accuse blame question
    criticize criticise praise dismiss reject defend describe fear hope expect worry doubt agree disagree
    conclude indicate reveal disclose acknowledge concede contend point announce propose threaten demand
    recommend predict forecast project cite reason counsel clarify elaborate specify summarize summarise
    """
) | word_set(
    # verbs that double their last consonant
    "ask asks asked asking continue continues continued admitted admitting quipped quipping regretted "
    "rebutted"
)) - word_set("state states")  # "the state" is not a verb
# Verbs of stance (wanting, backing, opposing, attacking): news reports a position through them as much as
# through "said". They attribute only with a subject named or a pronoun right before them, as _NOUNISH forms do.
_STANCE_IRREGULAR = word_set(
    """
    seek seeks sought seeking feel feels felt feeling see sees saw seeing
    """
)
_DOUBLED = word_set("planned planning slammed slamming referred referring preferred preferring")
_STANCE = _STANCE_IRREGULAR | _DOUBLED | _forms(
    """
    support endorse back oppose want plan hope expect intend refuse decline attack blast slam criticize criticise
    praise accuse urge push demand express voice challenge dispute reject welcome applaud condemn denounce mock
    ridicule mention discuss talk propose recommend promise pledge threaten favor favour prefer lambast
    decry deride tout hail fault chide scold rebuke berate question suggest predict vow call label dub brand
    credit thank echo reference highlight remind liken request shout chant yell rail assail encourage
    """
)
# Verbs that attribute only when a document, poll or study is their subject ("the poll shows").
_FIND = word_set("show shows showed shown showing find finds found suggest suggests suggested indicate indicates "
                 "indicated reveal reveals revealed conclude concludes concluded estimate estimates estimated")
# Verbs that put out words when a document follows them ("released a statement", "posted a video").
_ISSUE = word_set("issued issues released releases published publishes posted posts unveiled put puts sent sends")
# Particles that turn a verb of stance into another verb ("backed off", "pushed ahead").
_PARTICLES = word_set("off ahead away down back up through forward over")
# Verbs whose negation reports no words ("did not respond to a request for comment").
_REPLY = word_set("respond responded reply replied comment commented answer answered return returned")
# Verbs that, after "to", still report the main subject's words ("went on to say", "declined to comment").
_TO_SAY = word_set(
    "say tell write add note argue explain insist deny warn acknowledge suggest predict describe announce "
    "reveal confirm repeat reiterate question dispute stress emphasize point comment criticize praise"
)
# Participles that hang a claim on the main clause's subject ("Smith spoke, saying ...").
_PARTICIPLES = frozenset(w for w in _SAY if w.endswith("ing")) | word_set("calling citing referring")
# Forms that are nouns at least as often as verbs ("the state", "his remarks"): they attribute only right after a
# named or pronoun subject, never through a coordinated or relative clause.
_NOUNISH = word_set(
    """
    state states report reports claim claims note notes point points question questions remark remarks estimate
    estimates charge charges counter demand demands hope hopes fear fears doubt doubts answer answers reply
    promise promises pledge pledges repeat object objects signal signals project projects forecast forecasts
    reason reasons praise blame worry worries hint hints call calls tweet tweets joke jokes vow vows muse request
    requests
    concern concerns cite wonder wonders defend caution cautions review reviews record statement
    """
)
# Verbs that attribute only when a quotation, a comma or the end of the clause follows ("he continued, ...").
_CLAUSE_FINAL = word_set("continued continues continue asked asks answered")
# Forms that may come after the quotation they attribute ("...," said Smith).
_INVERTABLE = word_set(
    "said says say added adds wrote writes explained noted notes continued warned claimed stated announced asked "
    "insisted argued recalled cautioned told tells replied responded answered countered concluded observed "
    "remarked quipped joked suggested predicted declared admitted acknowledged conceded reads read reports reported"
)
# Verb forms too ambiguous to attribute on their own ("were told", "thinking about", "the report said").
_NOT_FINITE = word_set("written thinking shown")
_PASSIVE = word_set("is was were be been being are am get got gets")
# Words between a subject and its verb: "has repeatedly warned", "also said", "did not say".
_AUX = word_set(
    """
    also has had have having later previously earlier then once recently repeatedly again publicly privately
    reportedly now first further separately simply flatly would will could might may must should can did does
    do not never long still already often frequently always even just subsequently initially originally
    quickly immediately specifically explicitly openly directly personally widely generally largely
    """
)
# A phrase that tells where or how the speaker said it, between subject and verb ("in a statement").
_SETTING = re.compile(
    r"(?:,\s*)?\b(?:in|on|at|during|via|through|over)\s+(?:a|an|the|his|her|their|its|Sunday's|Monday's)?\s*"
    r"(?:[\w'’-]+\s+){0,4}?(?:statement|interview|tweet|tweets|post|op-ed|speech|letter|email|e-mail|"
    r"memo|release|appearance|conference|call|briefing|rally|address|debate|hearing|note|message|video|"
    r"remarks|town hall|Twitter|Facebook|television|TV|radio|CNN|Fox|MSNBC|NBC|ABC|CBS)"
    r"(?:\s+(?:with|to|on|at|for)\s+(?:the\s+)?(?:[\w'’.-]+\s*){1,4}?)?\s*,?\s*$"
)
_TIME_TAIL = re.compile(
    r"(?:,\s*)?\b(?:(?:on|last|this|earlier|late|early)\s+)?(?:(?:this|last|on)\s+)?"
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|today|yesterday|tonight|week|weekend|month|"
    r"year|morning|afternoon|evening|night)(?:\s+(?:morning|afternoon|evening|night))?\s*,?\s*$"
)
_DETERMINERS = word_set(
    """
    the a an his her their its our my your some many several other others most both all those these two three
    four five six seven eight nine ten one each another few more dozens hundreds thousands numerous various
    any every no such
    """
)
# Words that end a noun phrase when met going backwards from the verb (they are not part of it).
_NP_STOP = word_set(
    """
    that which whom whose what when where while as because since though although if unless after before until so
    but or nor yet then than to by with from into onto about against between during without within under over
    through is was were are be been being has have had do does did will would could should can may might must
    not no never also who it this there here he she they we i you him them us me himself herself themselves
    """
)
_CONJ = word_set("and or but")
# Heads of noun phrases that name documents: they "show" and "find" as people "say".
_DOC = word_set(
    """
    report reports study studies survey surveys poll polls analysis analyses investigation review data figures
    numbers statistics estimates records documents document memo filing filings complaint lawsuit indictment
    research results findings audit assessment statement letter article story website paper papers census
    tally count release transcript footage video emails email schedule calculations projections models model
    """
)
# Heads of noun phrases that name no one a reader can check: kept as written and marked vague.
_VAGUE = word_set(
    """
    source sources official officials people person aide aides adviser advisers advisor advisors insider
    insiders observer observers critic critics expert experts analyst analysts witness witnesses resident
    residents some many others one someone anyone several few most member members supporter supporters
    voters voter folks staffers staffer strategist strategists operative operatives ally allies associate
    associates friend friends individual individuals attendee attendees participant participants
    """
)
# Endings of adjectives, which do not head a speaker's noun phrase ("the presidential [race]").
_ADJECTIVE_ENDINGS = ("al", "ic", "ive", "ous", "ful", "less", "able", "ible", "ary")
# Heads of noun phrases that count people ("74 percent said").
_SHARES = word_set(
    "percent % majority plurality half third quarter fifth number share most one two three four five six seven "
    "eight nine ten dozen dozens hundred hundreds thousand thousands million millions"
)
# Heads of noun phrases that name an organisation ("the Clinton campaign said").
_ORG_NOUNS = word_set(
    """
    campaign campaigns committee group groups party administration team company companies agency department
    office organization organisation network newspaper outlet magazine court government firm union council
    board commission panel coalition caucus police military army navy authorities prosecutors
    """
)
_PERSON_ROLE = word_set(
    """
    spokesman spokeswoman spokesperson senator congressman congresswoman governor president candidate nominee
    secretary minister chairman chairwoman chair director leader aide adviser advisor official mayor judge
    attorney lawyer strategist manager chief executive founder analyst pollster professor economist
    ambassador general commander officer representative lawmaker delegate sheriff speaker businessman
    businesswoman billionaire host anchor reporter columnist editor author rival opponent challenger
    frontrunner front-runner veteran activist organizer pastor bishop
    """
)
# Honorifics and titles before a name; what precedes them (with them) is the speaker's role.
_TITLES = word_set(
    """
    mr mrs ms miss dr prof sir dame lord lady sen senator rep representative congressman congresswoman gov
    governor president vice pres gen general lt col sgt capt adm secretary sec minister chairman chairwoman
    chair speaker leader judge justice mayor ambassador former candidate nominee spokesman spokeswoman
    spokesperson professor atty attorney sheriff rev reverend pastor father rabbi imam chief commissioner director
    ceo founder executive prime deputy state majority minority house senate republican democratic democrat
    gop u.s. us
    """
)
_FEMALE_TITLES = word_set("mrs ms miss madam dame lady congresswoman chairwoman spokeswoman businesswoman")
_MALE_TITLES = word_set("mr sir lord congressman chairman spokesman businessman father")
# Common given names, to tell "she" from "he" when no title says so (a small list, not a census).
_FEMALE_NAMES = word_set(
    """
    mary patricia jennifer linda elizabeth barbara susan jessica sarah karen nancy lisa betty margaret sandra
    ashley kimberly emily donna michelle dorothy carol amanda melissa deborah stephanie rebecca sharon laura
    cynthia kathleen amy shirley angela helen anna brenda pamela nicole emma samantha katherine christine
    debra rachel catherine carolyn janet ruth maria heather diane virginia julie joyce victoria olivia kelly
    christina lauren joan evelyn judith megan cheryl andrea hannah martha jacqueline frances gloria ann
    teresa kathryn sara janice jean alice madison doris abigail julia judy grace denise amber marilyn beverly
    danielle theresa sophia marie diana brittany natalie isabella charlotte rose alexis kayla hillary
    sheila nikki kellyanne ivanka melania chelsea huma donna jeanne elena sonia condoleezza nancy dianne
    kirsten tammy claire patty maxine debbie hope sarah carly michele jill hope kamala tulsi
    """
)
_MALE_NAMES = word_set(
    """
    james robert john michael william david richard joseph thomas charles christopher daniel matthew anthony
    mark donald steven paul andrew joshua kenneth kevin brian george timothy ronald edward jason jeffrey ryan
    jacob gary nicholas eric jonathan stephen larry justin scott brandon benjamin samuel gregory alexander
    frank patrick raymond jack dennis jerry tyler aaron jose adam nathan henry douglas zachary peter kyle
    walter ethan jeremy harold keith christian roger noah gerald carl terry sean austin arthur lawrence
    jesse dylan bryan joe jordan billy bruce albert willie gabriel logan alan juan wayne roy ralph randy
    eugene vincent russell elijah louis bobby philip johnny bernie barack mitt mitch marco ted jeb ben chris
    rand newt mike reince corey rudy bill hugh lindsey harry rick jim tim tom bob dick al vladimir
    """
)
_ORG_WORDS = word_set(
    """
    Times News Post Journal Foundation Ministry Department Agency Council Committee Party Army Forces Force
    Police Office Institute University Group Organization Organisation Association Commission Government Court
    Bank Company Corp Inc Ltd Union Network Reuters Press Television TV Radio Channel Service Watch
    International Nations States Pentagon Kremlin House Congress Senate Parliament Guardian Telegraph Herald
    Tribune Gazette Daily Weekly BBC CNN AP AFP ISIS NATO UN EU Fund Center Centre Authority Bureau Board Staff
    Institution Monitor Observatory Coalition Alliance Front Brigade Campaign Administration Republicans
    Democrats Democratic Republican GOP RNC DNC FBI CIA NBC ABC CBS MSNBC Fox PAC Politico Breitbart HuffPost
    Times Magazine Review Report Club Caucus Federation Chamber Council Trust Project Center Initiative
    """
)
# Words that open a sentence but never a name ("But Smith said": the speaker is Smith).
_LEADING = word_set(
    """
    The A An But And Or So Yet Then Now Still Also However Meanwhile Moreover Later Earlier Last This That These
    Those In On At For From By With After Before During When While If As Since Although Though Many Some Most Few
    Several Both All Each Every Other Others Another Such There Here Today Yesterday Tomorrow Monday Tuesday
    Wednesday Thursday Friday Saturday Sunday Instead Indeed Finally Separately Asked Speaking Writing Unlike Like
    Under Over Against Despite Because Even Only Just Again Once Not No Yes Why How What Where Who Whether Until
    Without Within Through Among Amid Following According Overall Ultimately Nonetheless Nevertheless Similarly
    Likewise Besides Plus Perhaps Maybe Of Is Was Are Were Has Have Had Do Does Did Will Would Can Could Should
    Isn’t Isn't Wasn’t Wasn't Don’t Don't Doesn’t Doesn't Didn’t Didn't Can’t Can't Won’t Won't Aren’t Aren't
    """
)
_PRONOUN_SUBJECTS = {"he": "he", "she": "she", "they": "they", "it": "it", "we": "we", "i": "i"}
_NOT_SPEAKERS = word_set(
    """
    it this that there which who what these those here he she they we i you one him her them us me
    everyone everybody nobody anybody something anything nothing
    """
)
# A label that opens a line and is not a speaker ("Q: ...", "UPDATE: ...").
_NOT_COLON_NAMES = word_set(
    "q a update updated note editor editors correction related read watch video photo photos source sources "
    "breaking exclusive warning caption credit live analysis opinion contributing revealed paid notice "
    "transcript"
)

# --- tokens ------------------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"(?:[A-Za-z]\.){2,}|\x00+|[\w$%][\w'’&$%/-]*(?<![-'’/])|[^\w\s]")  # "CNN/WMUR" is one
_ABBREVIATIONS = word_set(
    "Mr Mrs Ms Dr Prof Sen Rep Gov Gen Lt Col Sgt Capt Adm Sec Pres Atty Rev Jr Sr St Mt Ft Gov Supt Insp Det "
    "Ala Ariz Ark Calif Colo Conn Del Fla Ga Ill Ind Kan Ky La Md Mass Mich Minn Miss Mo Mont Neb Nev Okla Ore Pa "
    "Tenn Tex Va Vt Wash Wis Wyo Corp Inc Ltd Co"
)


@dataclass(frozen=True)
class _Tok:
    text: str
    start: int
    end: int

    @property
    def low(self) -> str:
        return self.text.lower()

    @property
    def cap(self) -> bool:
        return self.text[:1].isupper() or (self.text[:1].isdigit() is False and self.text[:1] == "$")

    @property
    def word(self) -> bool:
        return self.text[:1].isalnum() or self.text[:1] == "$"


def _tokens(text: str) -> list[_Tok]:
    """Return the tokens of a (quote-masked) text; an abbreviation keeps its period ("Sen.", "H.")."""
    out: list[_Tok] = []
    for m in _TOKEN.finditer(text):
        t = _Tok(m.group(0), m.start(), m.end())
        if t.text == "." and out and out[-1].end == t.start and (
            out[-1].text in _ABBREVIATIONS or (len(out[-1].text) == 1 and out[-1].text.isupper())
        ):
            prev = out.pop()
            t = _Tok(prev.text + ".", prev.start, t.end)
        out.append(t)
    return out


# --- speakers ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Speaker:
    """A speaker as found in one sentence, before it is resolved against the article."""

    name: str | None  # normalised ("Martin Dempsey"), or None for a pronoun
    as_written: str
    role: str | None = None
    vague: bool = False
    pronoun: str | None = None
    person: bool = False
    gender: str | None = None  # "f" or "m" when a title or a first name tells it


def _is_name_token(t: _Tok) -> bool:
    """Return whether a token may be part of a name: capitalised, and not "union-backed"."""
    if not (t.word and t.text[:1].isupper()):
        return False
    tail = t.text.rsplit("-", 1)[-1]
    return "-" not in t.text or not tail.islower()


def _strip_party(text: str) -> str:
    """Return a name without a party-and-state tag ("(R-S.C.)", ", R-Ky.") or a trailing age."""
    text = re.sub(r"\s*\((?:[RDI]|R-|D-|I-)[^)]*\)\s*$", "", text)
    text = re.sub(r",\s*[RDI]-[A-Z][\w.]*\.?\s*$", "", text)
    return text.strip(" ,")


def _speaker_from(words: Sequence[_Tok], text: str) -> _Speaker | None:
    """Return the speaker a noun phrase names (its tokens, in order), or None when it names nobody."""
    toks = list(words)
    if toks and toks[-1].text == ")" and any(t.text == "(" for t in toks):
        toks = toks[: max(i for i, t in enumerate(toks) if t.text == "(")]  # "Sen. Ann Lee (D-Ore.)"
    while toks and (toks[-1].text in {",", "'s", "’s"} or toks[-1].low in {"of", "for", "and", "the", "at"}):
        toks.pop()
    while toks and (toks[0].text in _LEADING and not (len(toks) > 1 and toks[0].low in _DETERMINERS)
                    and toks[0].low not in _DETERMINERS):
        toks = toks[1:]
    if not toks:
        return None
    as_written = _strip_party(text[toks[0].start : toks[-1].end])
    if toks[-1].low in _NOT_SPEAKERS or toks[-1].low in _DETERMINERS and len(toks) == 1 and toks[-1].low not in _VAGUE:
        return None
    if len(toks) == 1 and toks[0].low in _PRONOUN_SUBJECTS:
        return None
    # The proper name: the last run of capitalised tokens (with "of", "for", "and", "de" inside).
    end = len(toks)
    while end > 0 and not _is_name_token(toks[end - 1]):
        end -= 1
    common = _VAGUE | _PERSON_ROLE | _ORG_NOUNS | _DOC
    if end == 1 and len(toks) == 1 and toks[0].low in common:
        end = 0  # "Sources said", "Officials said": a common noun capitalised at the start of a sentence
    if end == len(toks) and end > 0:
        start = end
        while start > 0 and (
            _is_name_token(toks[start - 1])
            or (toks[start - 1].low in {"of", "for", "de", "del", "van", "von", "al", "bin", "&", "and"}
                and start - 2 >= 0 and _is_name_token(toks[start - 2]))
            or (toks[start - 1].low == "the" and start - 2 >= 0 and toks[start - 2].low in {"of", "for"})
        ):
            start -= 1
        name_toks = toks[start:end]
        while name_toks and name_toks[0].low in {"of", "for", "the", "and"}:
            name_toks = name_toks[1:]
        # Titles before the person's name are their role: "party spokesman Tom Hart", "Sen. Ann Lee".
        cut = 0
        for i, t in enumerate(name_toks[:-1]):
            if t.low.rstrip(".") in _TITLES or (t.low == "of" and i > 0 and name_toks[i - 1].low.rstrip(".")
                                                in _TITLES):
                cut = i + 1
                if t.low == "of" and i + 2 < len(name_toks):
                    cut = i + 2  # "Secretary of State Jane Roe": the office is one word after "of"
        while cut < len(name_toks) - 1 and name_toks[cut].text in _LEADING:
            cut += 1
        # "Dayton's Reyes", "Channel 9's Omar Haddad": the possessor is where the person works, not the person.
        for i, t in enumerate(name_toks[:-1]):
            if i >= cut and (t.text.endswith(("'s", "’s", "s'", "s’"))):
                cut = i + 1
        person_toks = name_toks[cut:]
        affiliation = None
        # "Dana Reyes of the Harbor Institute": a person's name, then where they work.
        of = next((i for i, t in enumerate(person_toks) if t.low in {"of", "for"}), None)
        if of is not None and of >= 2 and not any(
                t.text.strip(".") in _ORG_WORDS or t.low.rstrip(".") in _TITLES for t in person_toks[:of]):
            affiliation = text[person_toks[of].start : person_toks[-1].end]
            person_toks = person_toks[:of]
        if not person_toks or all(t.text in _LEADING for t in person_toks):
            return None
        name = _strip_party(text[person_toks[0].start : person_toks[-1].end])
        role_toks = toks[: toks.index(name_toks[0]) + cut] if cut or start > 0 else []
        role_toks = [t for t in role_toks if t.low not in {"the", "a", "an"}]
        while role_toks and role_toks[0].low in _DETERMINERS | {"by", "to", "of"}:
            role_toks = role_toks[1:]
        described = bool(cut) or any(not t.cap and t.word for t in role_toks)  # "researcher", not "But"
        role = affiliation or (text[role_toks[0].start : role_toks[-1].end] if role_toks and described else None)
        if role is not None and all(w.endswith(".") and w[:-1] in _ABBREVIATIONS for w in role.split()):
            role = None  # "Dr.", "Gen.": a title stays with the name as written, it is not a role
        titles = {t.low.rstrip(".") for t in name_toks[:cut]}
        female = bool(titles & _FEMALE_TITLES) or person_toks[0].low in _FEMALE_NAMES
        male = bool(titles & _MALE_TITLES) or person_toks[0].low in _MALE_NAMES
        org = any(t.text.strip(".") in _ORG_WORDS for t in person_toks) or all(
            t.text.isupper() or t.text.endswith(".") for t in person_toks)
        if len(person_toks) == 1 and person_toks[0].low.rstrip(".") in _TITLES:
            return None
        person = not org and (len(person_toks) >= 2 or female or male or bool(titles) or len(person_toks) == 1)
        gender = "f" if female and not male else "m" if male and not female else None
        return _Speaker(name, as_written, role, False, None, person, gender)
    # A document of a named owner: "the CNN report", "a new UN study" speak for CNN and the UN.
    if toks[-1].low in _DOC and end > 0:
        owner = _speaker_from(toks[:end], text)
        if owner is not None and owner.name:
            return replace(owner, as_written=as_written, person=False)
    # A common noun phrase: "the spokesman", "former employees", "a person familiar with the talks".
    body = [t for t in toks if t.word]
    if not body:
        return None
    while body and body[0].low in {"the", "a", "an"}:
        body = body[1:]
    if not body:
        return None
    phrase = text[body[0].start : body[-1].end]
    of = next((n for n, t in enumerate(body) if t.low in {"of", "for"} and n > 0), None)
    last = (body[of - 1] if of is not None else body[-1]).low  # the head: "critics" of "critics of the plan"
    plural = last.endswith("s") and not last.endswith(("ss", "us", "is"))
    counted = last in {"surveyed", "polled", "interviewed", "questioned"} and len(body) > 1
    determined = toks[0].low in _DETERMINERS and len(body) <= 6 and not last.endswith(_ADJECTIVE_ENDINGS)
    if not (determined or last in _VAGUE or last in _PERSON_ROLE or last in _DOC or last in _ORG_NOUNS or plural
            or last in _SHARES or counted or last.rstrip("%").isdigit()):
        return None
    if last.endswith(("ed", "ing", "ly")) and not counted and last not in _DOC | _VAGUE | _ORG_NOUNS:
        return None
    # Vague: people nobody can check ("sources", "officials", "74 percent", "those surveyed"); a role ("the
    # admiral"), an organisation or a document is not vague.
    vague = (last in _VAGUE or last in _SHARES or counted or plural) and last not in _DOC | _ORG_NOUNS
    return _Speaker(phrase, as_written, None, vague, None, last in _PERSON_ROLE)


def _np_back(toks: Sequence[_Tok], k: int, limit: int = 9) -> int:
    """Return where the noun phrase that ends before token k starts (k itself: none); a parenthesis closing it
    ("Rep. Ana Cruz (D-Ore.)") is skipped."""
    if k > 0 and toks[k - 1].text == ")":
        j = k - 1
        while j > 0 and toks[j].text != "(":
            j -= 1
        if j > 0:
            k = j
    i = k
    while i > 0 and k - i < limit:
        t = toks[i - 1]
        if not t.word:
            if t.text == "&":
                i -= 1
                continue
            break
        low = t.low
        if low in _DETERMINERS:
            i -= 1
            if i >= 2 and toks[i - 1].low in {"of", "for"} and toks[i - 2].word and toks[i - 2].low not in _NP_STOP:
                i -= 1  # "critics of the plan": the phrase goes on before "of"
                continue
            break
        if low in _NP_STOP and not t.cap:
            break
        if low in {"of", "in", "for", "at", "from", "on"} and i < k and i - 2 >= 0 and toks[i - 2].word:
            i -= 1  # "half of voters in each state", "a spokesman for the campaign"
            continue
        if low == "and":
            # "Smith and Jones said": both sides names; otherwise the phrase ends here.
            if i < k and toks[i].cap and i - 2 >= 0 and toks[i - 2].cap:
                i -= 1
                continue
            break
        i -= 1
    return i


def _np_forward(toks: Sequence[_Tok], i: int, limit: int = 10) -> int:
    """Return where the noun phrase that starts at token i ends (exclusive; i itself: none)."""
    j = i
    seen_word = False
    while j < len(toks) and j - i < limit:
        t = toks[j]
        low = t.low
        if not t.word:
            if t.text == "&" and j > i:
                j += 1
                continue
            break
        if low in _DETERMINERS and j == i:
            j += 1
            continue
        if t.cap:
            seen_word = True
            j += 1
            continue
        if low in {"of", "for", "at", "de"} and j + 1 < len(toks) and (toks[j + 1].cap or (
                toks[j + 1].low == "the" and j + 2 < len(toks) and toks[j + 2].cap)):
            j += 1
            continue
        if low == "the" and j > i and toks[j - 1].low in {"of", "for", "at"}:
            j += 1
            continue
        if (low in _NP_STOP or low in _AUX or low in _SAY or low in _FIND or low.endswith(("ed", "ing", "ly"))
                or low in _PASSIVE):
            break
        if seen_word and not (low in _VAGUE or low in _PERSON_ROLE or low in _DOC or low in _ORG_NOUNS):
            break
        seen_word = True
        j += 1
    return j


_CLOSE_TO = re.compile(r"\b(?:close|familiar|near|loyal|allied|friendly|opposed|connected|linked|tied)\s+(?:to|with)\s+"
                       r"(?:[\w'’.-]+\s+){0,4}?[\w'’.-]+\s*$")


def _skip_setting(text: str, toks: Sequence[_Tok], k: int) -> int:
    """Return the token index before which the subject ends, skipping words between it and the verb at k: auxiliaries
    ("has long"), times ("on Thursday") and settings ("in a statement")."""
    while True:
        moved = False
        while k > 0 and not toks[k - 1].cap and (
                toks[k - 1].low in _AUX or (toks[k - 1].low.endswith("ly") and len(toks[k - 1].low) > 4)):
            k -= 1
            moved = True
        if k > 0 and toks[k - 1].text == ")":
            j = k - 1
            while j > 0 and toks[j].text != "(":
                j -= 1
            if j > 0 and toks[j].text == "(":
                k = j
                continue
        head = text[: toks[k - 1].end] if k > 0 else ""
        for pattern in (_SETTING, _TIME_TAIL, _CLOSE_TO):
            m = pattern.search(head)
            if m and m.start() > 0:
                j = k
                while j > 0 and toks[j - 1].start >= m.start():
                    j -= 1
                if j < k and j > 0:
                    k = j
                    moved = True
                    break
        if not moved:
            return k


def _subject_before(text: str, toks: Sequence[_Tok], v: int) -> tuple[_Speaker | None, str | None]:
    """Return the speaker before the verb at token v (or the pronoun standing for them), and whether the subject is
    a relative or coordinated one the caller must take from the main clause ("main")."""
    k = _skip_setting(text, toks, v)
    if k == 0:
        return None, None
    prev = toks[k - 1]
    contracted = re.sub(r"['’](?:s|d|ve|re|ll)$", "", prev.low)
    if contracted != prev.low and contracted in _PRONOUN_SUBJECTS:
        return _Speaker(None, prev.text, pronoun=contracted), None  # "He's telling friends", "she'd said"
    if prev.low in _PRONOUN_SUBJECTS and (prev.low != "it" or k == 1 or not toks[k - 2].word
                                          or toks[k - 2].low in _CONJ | {"that", "as"}):
        return _Speaker(None, prev.text, pronoun=prev.low), None  # he, she, they, we, I: always the subject
    if prev.low in {"who", "which"} and k >= 2:
        # "Smith, who said ...": the speaker is the phrase the relative clause hangs on.
        j = k - 1
        if j > 0 and toks[j - 1].text == ",":
            j -= 1
        start = _np_back(toks, j)
        if start < j:
            return _speaker_from(toks[start:j], text), None
        return None, None
    if prev.low in _CONJ and k >= 2 and not toks[k - 2].cap:
        return None, "main"
    if prev.text == "," and k >= 2:
        # "Smith, 45, of Ohio, said" / "Noman Benotman, a former jihadist, told": walk back over appositives.
        commas = [i for i in range(k - 1) if toks[i].text == ","]
        starts = ([0] + [i + 1 for i in commas])[-5:]
        ends = [next((i for i in range(a, k) if toks[i].text == ","), k - 1) for a in starts]
        like: list[bool] = []
        for seg_start, seg_end in zip(starts, ends, strict=True):
            first = toks[seg_start] if seg_start < len(toks) else toks[-1]
            segment_words = {t.low for t in toks[seg_start:seg_end]}
            like.append(
                first.low in _DETERMINERS or not first.cap or first.text[:1].isdigit()
                or first.text.endswith(("’", "'", "’s", "'s")) or bool(segment_words & _PERSON_ROLE)
                or first.low in {"who", "which"} or bool(re.match(r"[RDI]-", first.text))
                or first.text.rstrip(".") in _ABBREVIATIONS
                # "of Dayton, Ohio", "Tom Hart of Portland, Ore.": a place after a place
                or (len(like) > 0 and seg_end - seg_start <= 2 and first.cap
                    and any(t.low in {"of", "from", "in"} for t in toks[starts[len(like) - 1] : ends[len(like) - 1]]))
            )
        for n_seg in range(len(starts) - 1, -1, -1):
            seg_start, seg_end, appositive_like = starts[n_seg], ends[n_seg], like[n_seg]
            if seg_end <= seg_start:
                continue
            if appositive_like and n_seg > 0 and n_seg >= len(starts) - 4:
                continue  # "a former jihadist", "45", "of Ohio", "Mich.": describes the speaker before it
            np_start = _np_back(toks, seg_end)
            last_seg = n_seg == len(starts) - 1
            role_before = (n_seg > 0 and like[n_seg - 1] and seg_end - seg_start <= 4
                           and all(_is_name_token(t) for t in toks[seg_start:seg_end]))
            if np_start < seg_end and (not last_seg or (n_seg == 0 and np_start == seg_start) or role_before):
                # "Smith, a former aide, said"; "Sen. Ann Lee (D-Ore.), said"; "Her manager, Tom Hart, said"
                sp = _speaker_from(toks[np_start:seg_end], text)
                if sp is not None and sp.name is not None and last_seg and role_before:
                    role = text[toks[starts[n_seg - 1]].start : toks[ends[n_seg - 1] - 1].end]
                    return replace(sp, role=role.strip(" \x00")), None
                if sp is not None and sp.name is not None:
                    appositive = text[toks[seg_end + 1].start : toks[k - 2].end].strip(" ,")
                    if (appositive and not appositive[:1].isdigit() and len(appositive) < 160
                            and (sp.role is None or re.search(r"\b[a-z]{3,}", appositive))):
                        sp = replace(sp, role=appositive)  # "chairman of the Joint Chiefs", not just "Gen."
                    return sp, None
            break
        return None, None
    start = _np_back(toks, k)
    if start == k:
        return None, None
    sp = _speaker_from(toks[start:k], text)
    return sp, None


_AFTER_SPEAKER = word_set("who which whose that known speaking according adding noting referring in on at during after "
                          "before when while as to")


def _subject_after(text: str, toks: Sequence[_Tok], i: int) -> tuple[_Speaker | None, int]:
    """Return the speaker named right after an inverted verb ("said Smith, a spokesman", "said the former top aide
    to the governor") and where it ends: the words up to the end of the clause, before any relative clause."""
    end = i
    while end < len(toks) and end - i < 12 and toks[end].word and not (
            end > i and toks[end].low in _AFTER_SPEAKER and not toks[end].cap):
        end += 1
    if end == i:
        return None, i
    if end < len(toks) and toks[end].word and toks[end].low not in _AFTER_SPEAKER:
        return None, i  # a long clause, not a speaker
    return _speaker_from(toks[i:end], text), end


def _main_subject(text: str, toks: Sequence[_Tok]) -> _Speaker | None:
    """Return the subject of a sentence's main clause, past an opening adverbial ("In a speech Tuesday, Smith ...")."""
    i = 0
    while i < len(toks) and (not toks[i].word or toks[i].text in {"But", "And", "So", "Yet", "Still", "Now", "Also"}):
        i += 1
    if i < len(toks) and ((toks[i].text in _LEADING and toks[i].low not in _DETERMINERS)
                          or toks[i].low in _PARTICIPLES or toks[i].low.endswith("ing")):
        comma = next((j for j in range(i, min(len(toks), i + 25)) if toks[j].text == ","), None)
        if comma is None:
            return None
        i = comma + 1
    if i < len(toks) and toks[i].low in _PRONOUN_SUBJECTS:
        return _Speaker(None, toks[i].text, pronoun=toks[i].low)
    end = _np_forward(toks, i)
    if end == i:
        return None
    return _speaker_from(toks[i:end], text)


# --- cues --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cue:
    """An attribution found in one sentence, before its speaker is resolved against the article."""

    start: int
    speaker: _Speaker | None
    cue: str
    kind: str
    via: str | None = None


_ACCORDING = re.compile(r"\b[Aa]ccording\s+to\s+")
_CITING = re.compile(r",\s*(?:citing|quoting)\s+")


def _closes(text: str, toks: Sequence[_Tok], cue: _Cue) -> bool:
    """Return whether a cue stands in a short last clause after a comma or a quotation, with nothing but its
    speaker and a setting around it (", Reyes said.", ", said a Chinese official.", "..." the official said.")."""
    ends = [t for t in toks if t.text == "," or t.text.startswith("\x00")]
    if not ends or cue.start < ends[-1].end:
        return False
    tail = [t for t in toks if t.start >= ends[-1].end and t.word]
    return 2 <= len(tail) <= 10 and not any(t.low in {"that", "which", "who", "whom", "whether"} for t in tail)


_SUBORDINATE = word_set("that which who whom whose when where while because as after before if though although")


def _clause_end(toks: Sequence[_Tok], i: int) -> int:
    """Return the end of the noun phrase after "according to" or "citing": up to a comma, a quote or the end."""
    j = i
    while j < len(toks) and toks[j].text not in {",", ";", ":", ".", "?", "!", "—", "–", "("} and not toks[
            j].text.startswith("\x00") and j - i < 14:
        j += 1
    return j


def _cues(text: str, toks: Sequence[_Tok], headline: bool) -> list[_Cue]:
    """Return the attribution cues of a sentence's text outside quotations, first one first."""
    found: list[_Cue] = []
    for m in _ACCORDING.finditer(text):
        i = next((n for n, t in enumerate(toks) if t.start >= m.end()), len(toks))
        end = _clause_end(toks, i)
        if end > i:
            end = next((n for n in range(i + 1, end) if toks[n].low in _SUBORDINATE), end)
            phrase = list(toks[i:end])
            # "according to Smith's estimates", "according to a CNN report": the owner is the speaker.
            own = next((n for n, t in enumerate(phrase) if t.text in {"'s", "’s"} or t.text.endswith(("'s", "’s"))),
                       None)
            doc_with_name = own is None and any(_is_name_token(t) for t in phrase[1:]) and phrase[-1].low in _DOC
            sp = _speaker_from(phrase[: own + 1] if own is not None else phrase[:-1] if doc_with_name else phrase,
                               text)
            if sp is not None and own is not None and sp.name:
                sp = replace(sp, name=re.sub(r"['’]s$", "", sp.name))
            if sp is not None and doc_with_name:
                sp = replace(sp, as_written=text[phrase[0].start : phrase[-1].end])  # "a CNN report"
            if sp is not None and sp.name and (sp.name.lower() not in {"plan", "plans"}):
                cue_text = text[m.start() : toks[end - 1].end]
                found.append(_Cue(m.start(), sp, cue_text, "according_to"))
    for v, t in enumerate(toks):
        low = t.low
        if low in _ISSUE and any(x.low in _DOC or x.low in {"tweet", "tweets", "ad", "ads"}
                                 for x in toks[v + 1 : v + 4]):
            sp, where = _subject_before(text, toks, v)  # "the campaign released a statement"
            if sp is not None and (sp.name or sp.pronoun):
                found.append(_Cue(t.start, sp, text[t.start : toks[min(v + 3, len(toks) - 1)].end], "reported"))
            continue
        if low in _SAY or low in _FIND or low in _STANCE:
            if t.cap and not (headline or v == 0) and low not in _SAY:
                continue
            if t.cap and v > 0 and not headline:
                continue
            if low in _NOT_FINITE:
                continue
            prev = toks[v - 1] if v > 0 else None
            if prev is not None and (prev.low in _PASSIVE or prev.text in {"so-", "-"} or prev.low == "so"
                                     or prev.low in {"the", "a", "an", "its", "his", "her", "their"}):
                continue  # "was told", "is said to", "so-called", "the expected ruling"
            nxt = toks[v + 1] if v + 1 < len(toks) else None
            if nxt is not None and low in _STANCE and low not in _SAY and nxt.low in _PARTICLES:
                continue  # "backed off", "pushed ahead": not a stance
            if low in _REPLY and v >= 2 and toks[v - 1].low in {"not", "n't"} | {"never"}:
                continue  # "did not respond to a request for comment"
            if prev is not None and prev.low == "to" and low in _TO_SAY and not (
                    v >= 3 and toks[v - 3].low in _PASSIVE):
                found.append(_Cue(t.start, None, t.text, "reported_main"))  # "went on to say", "declined to say"
                continue
            if low in _PARTICIPLES:
                if low in {"claiming", "calling"} and (nxt is None or nxt.low in _DETERMINERS or nxt.text[:1].isdigit()
                                                       or nxt.low in {"for", "on", "off", "up"}):
                    continue  # "claiming 60 percent of the vote", "calling for": not words of a claim
                if prev is None or prev.text == "," or prev.low in {"by", "and", "while", "before", "after"}:
                    found.append(_Cue(t.start, None, t.text, "reported_main"))
                continue
            if low.endswith("ed") and v + 1 < len(toks) and toks[v + 1].low == "by" and (
                    v > 0 and prev is not None and prev.word and not headline):
                # "the plan described by the mayor": the agent after "by" makes the claim.
                end = _np_forward(toks, v + 2)
                agent = _speaker_from(toks[v + 2 : end], text) if end > v + 2 else None
                if agent is not None and agent.name:
                    found.append(_Cue(t.start, agent, text[t.start : toks[v + 1].end], "reported"))
                continue
            sp, where = _subject_before(text, toks, v)
            if sp is None and low in _INVERTABLE and (v == 0 or prev is not None and (
                    prev.text in {",", ";", ":", "—", "–", "-", "'"} or prev.text.startswith("\x00"))):
                sp2, end = _subject_after(text, toks, v + 1)
                if sp2 is not None and sp2.name and end + 1 < len(toks) and toks[end].text == ",":
                    # "said Dana Reyes, a physicist at the Harbor Institute."
                    stop = next((n for n in range(end + 1, len(toks)) if not toks[n].word
                                 and toks[n].text not in {"'", "’", "-"}), len(toks))
                    words = toks[end + 1 : stop]
                    if words and words[0].low in _DETERMINERS and len(words) <= 14:
                        sp2 = replace(sp2, role=text[words[0].start : words[-1].end])
                if sp2 is not None and sp2.name:
                    found.append(_Cue(t.start, sp2, text[t.start : toks[end - 1].end], "reported"))
                continue
            nxt = toks[v + 1] if v + 1 < len(toks) else None
            before = toks[_skip_setting(text, toks, v) - 1] if v > 0 else None
            if (low in _NOUNISH or low in _STANCE and low not in _SAY) and (
                    where == "main" or sp is None
                    or (nxt is not None and (nxt.low in _SAY or nxt.low in _FIND))
                    or (sp.pronoun is None and (sp.vague or not (sp.name or "")[:1].isupper()))
                    or (low in _NOUNISH and before is not None and (before.low.endswith(("'s", "’s")) or not (
                        _is_name_token(before) or before.low in _PRONOUN_SUBJECTS or before.low in _DOC
                        or before.text == ",")))):
                continue  # "the state", "faced questions", "the report claims": a noun, not a verb of saying
            if sp is not None and (low in _STANCE or low in _NOUNISH) and not low.endswith(("s", "ed", "ing")) \
                    and low not in _STANCE_IRREGULAR and sp.pronoun is None and (sp.name or "")[:1].isupper() and \
                    " and " not in sp.as_written and not (v > 0 and toks[v - 1].low in _AUX):
                continue  # "Harbour plan", "Lee support": a singular name before a bare verb form is a noun
            if low in _CLAUSE_FINAL and (nxt is not None and nxt.word and nxt.low not in {
                    "that", "whether", "if", "why", "how", "what", "reporters", "him", "her", "them"}
                    or "\x00" not in text and not (nxt is not None and nxt.text == ":")):
                continue  # "continued to", "as the war continued,": not a cue without a quotation
            cue_text = t.text
            if low in {"told", "tells", "tell", "telling"} and nxt is not None:
                end = _np_forward(toks, v + 1, 5)
                if end > v + 1:
                    cue_text = text[t.start : toks[end - 1].end]
            if where == "main":
                found.append(_Cue(t.start, None, cue_text, "reported_main"))
                continue
            if sp is None:
                continue
            if low in _FIND and low not in _SAY:
                head = sp.as_written.split()[-1].lower() if sp.as_written else ""
                if head not in _DOC:
                    continue
            if sp.pronoun is None and sp.name is None:
                continue
            if sp.as_written and sp.as_written.split()[-1].lower() in _DOC and sp.pronoun is None:
                cue_text = text[text.rfind(sp.as_written, 0, t.start) : t.end]  # "The CNN report claims"
            found.append(_Cue(t.start, sp, cue_text, "reported"))
    # "Name: ..." opening a sentence (a headline "Lee: ..." or a transcript line).
    colon = re.match(r"\s*([^:\x00]{2,60}?):\s", text)
    if colon and toks and toks[0].cap and toks[0].low not in _NOT_COLON_NAMES:
        words = [t for t in toks if t.end <= colon.end(1)]
        if 1 <= len(words) <= 4 and all(_is_name_token(w) or w.low in {"of", "."} for w in words) and not any(
                w.text in _LEADING or w.text in {"For", "To", "Is", "Win", "Says"} or w.text.endswith("ing")
                or (w.text.isupper() and len(w.text) > 4) for w in words):
            sp = _speaker_from(words, text)
            if sp is not None and sp.name and sp.name.lower() not in _NOT_COLON_NAMES:
                found.append(_Cue(0, sp, ":", "reported"))
    for m in _CITING.finditer(text):
        i = next((n for n, t in enumerate(toks) if t.start >= m.end()), len(toks))
        end = _clause_end(toks, i)
        sp = _speaker_from(toks[i:end], text) if end > i else None
        if sp is not None and sp.name and found:
            first = min(found, key=lambda c: c.start)
            found[found.index(first)] = replace(first, via=sp.name)
    found.sort(key=lambda c: c.start)
    # "Smith resigned, Jane Doe said, according to the Gazette": Jane Doe speaks, by way of the Gazette.
    according = [c for c in found if c.kind == "according_to" and c.speaker is not None and c.speaker.name]
    said = [c for c in found if c.kind == "reported" and c.speaker is not None and c.speaker.name
            and c.cue.split()[0].lower() in _SAY]
    if according and according[0].start == 0:
        found.remove(according[0])  # "According to a court filing, Lee and Hart told investigators ..."
        return [according[0], *found]
    if according and said and according[0].start > said[0].start:
        found.remove(according[0])
        via = according[0].speaker.name if according[0].speaker is not None else None
        found = [replace(c, via=c.via or via) if c is said[0] else c for c in found]
    # "The plant will close in May, Reyes said.": a cue closing the sentence after a comma governs all of it.
    tail = [c for c in found if c.kind != "reported_main" and c.speaker is not None and (
        _closes(text, toks, c) or (c.kind == "according_to" and c.start > 0 and text[:c.start].rstrip().endswith(",")
                                   and "," not in text[c.start:]))]
    if tail:
        found.remove(tail[-1])
        found.insert(0, tail[-1])
        return found
    # "While not everything the mayor says is true, Reyes said ...": the main clause's cue comes first.
    if len(found) > 1 and toks and toks[0].low in _SUBORDINATE | {"while", "although", "when", "as", "if", "since"}:
        comma = next((t.start for t in toks if t.text == ","), None)
        if comma is not None:
            found.sort(key=lambda c: (c.start < comma, c.start))
    return found


# --- quotations --------------------------------------------------------------------------------------------------


def _mask_quotes(text: str, inside: bool) -> tuple[str, bool, bool]:
    """Return the text with quotations blanked out, whether it ends inside one, and whether it has one. Straight,
    curly and doubled single quotes ('' ... '') all count; a lone apostrophe does not."""
    chars = list(text.replace("''", '"\x01').replace("``", "\x02\x01"))
    quoted = False
    for i, c in enumerate(chars):
        if c == "\x01":
            chars[i] = "\x00"
            continue
        if c == '"':
            if inside:
                chars[i] = "\x00"
            inside = not inside
            if inside:
                chars[i] = "\x00"
                quoted = True
        elif c in "“\x02":
            inside = quoted = True
            chars[i] = "\x00"
        elif c == "”":
            chars[i] = "\x00"
            inside = False
        elif inside:
            chars[i] = "\x00"
            quoted = True
    return "".join(chars), inside, quoted


SCARE_QUOTE_WORDS = 3  # quoted words up to this many, inside the article's own sentence, are a term, not a quotation


def _quoted_words(text: str, masked: str) -> int:
    """Return how many words of a sentence lie inside its quotations."""
    return len(re.findall(r"\w+", "".join(c for c, m in zip(text, masked, strict=False) if m == "\x00")))


def is_quotation(text: str, masked: str, continues: bool) -> bool:
    """Return whether a sentence is (in part) someone's quoted words: it continues a quotation, opens with one, or
    quotes more than a scare-quoted term ("the so-called "caliphate"" is the article's own voice)."""
    opens = text.lstrip()[:1] in ('"', "“") or text.lstrip().startswith(("''", "``"))
    return continues or opens or _quoted_words(text, masked) > SCARE_QUOTE_WORDS


def in_quotations(sentences: Sequence[Sentence]) -> list[bool]:
    """Return, for each sentence of an article, whether it holds a quotation or continues one opened before it in
    its paragraph (the sentences a card must give a speaker or mark as an unattributed quotation)."""
    out: list[bool] = []
    inside = False
    for i, s in enumerate(sentences):
        if i == 0 or s.paragraph != sentences[i - 1].paragraph:
            inside = False
        before = inside
        masked, inside, quoted = _mask_quotes(s.text, inside)
        out.append(quoted and is_quotation(s.text, masked, before) or before)
    return out


# --- the article ------------------------------------------------------------------------------------------------


def _plural(s: _Speaker) -> bool:
    """Return whether a speaker is several people: "city leaders", "Lee and Hart"."""
    name = s.name or ""
    words = name.split()
    return bool(words) and (" and " in name or name[0].islower() and words[-1].endswith("s")
                            or words[-1] in {"Democrats", "Republicans"} or s.vague and words[-1].endswith("s"))


# A turn of a transcript or an interview: "PENCE: ...", "Q: ...", "A: ...", "WN: ..." opening a paragraph.
_TURN = re.compile(r"\s*((?:[A-Z][A-Z.'’-]+)(?: [A-Z][A-Z.'’-]+){0,2}|Q|A|WN)\s*:\s")
_TURN_SPEAKERS = {"WN": "Wikinews"}  # who a fixed interviewer label stands for; Q and A name nobody by themselves


def _turns(sentences: Sequence[Sentence]) -> dict[int, str]:
    """Return the paragraphs of an article that are turns of a transcript, each with its speaker's label, when
    two or more are ("TAPPER:", "FALLIN:"); one label alone is a heading ("BREAKING: ...")."""
    turns: dict[int, str] = {}
    for i, s in enumerate(sentences):
        if i > 0 and s.paragraph == sentences[i - 1].paragraph:
            continue
        m = _TURN.match(s.text)
        if m and m.group(1).lower() not in _NOT_COLON_NAMES - {"q", "a"}:
            turns[s.paragraph] = m.group(1)
    return turns if len(turns) >= 2 and len(set(turns.values())) >= 2 else {}


def _turn_attribution(label: str, by_surname: dict[str, _Speaker], text: str) -> Attribution:
    """Return the attribution of a transcript turn: its speaker by the full name the article used ("CLINTON" is
    Hillary Clinton, "HART" the Tom Hart of "Governor Tom Hart"), or an unattributed quotation for "Q" and "A"."""
    if label in {"Q", "A"}:
        return Attribution(None, ":", "quote", as_written=label)
    if label in _TURN_SPEAKERS:
        return Attribution(_TURN_SPEAKERS[label], ":", "quote", as_written=label)
    surname = label.split()[-1].capitalize()
    full = by_surname.get(surname.lower())
    if full is not None and full.name:
        return Attribution(full.name, ":", "quote", as_written=label, role=full.role)
    for m in re.finditer(rf"\b((?:[A-Z][\w'’-]+\s+){{1,2}}){re.escape(surname)}\b", text):
        first = [w for w in m.group(1).split() if w.rstrip(".") not in _ABBREVIATIONS and w.lower() not in _TITLES
                 and w not in _LEADING]
        if first:  # "Governor Tom Hart" names HART
            return Attribution(f"{' '.join(first)} {surname}", ":", "quote", as_written=label)
    return Attribution(" ".join(w.capitalize() for w in label.split()), ":", "quote", as_written=label)


class _Resolver:
    """The article's speakers so far: for pronouns, surnames and roles."""

    def __init__(self) -> None:
        self.people: list[_Speaker] = []  # latest last
        self.groups: list[_Speaker] = []
        self.by_surname: dict[str, _Speaker] = {}
        self.roles: list[tuple[frozenset[str], _Speaker]] = []

    def note(self, s: _Speaker) -> None:
        """Remember a named speaker (or a person the sentence is about)."""
        if s.name is None or not may_speak(s.name):
            return
        if s.person and not s.vague:
            self.people.append(s)
            words = s.name.split()
            if len(words) >= 2:
                self.by_surname.setdefault(words[-1].lower(), s)
            if s.role:
                role_words = frozenset(w.lower().strip(".,") for w in s.role.split()) - _DETERMINERS - {"of"}
                self.roles.append((role_words, s))
        else:
            self.groups.append(s)

    def plausible(self, s: _Speaker) -> bool:
        """Return whether a sentence's subject (not a speaker with a cue) may be a person a pronoun stands for: a
        name already met, or two or more name words that are not an adjective opening the sentence."""
        words = (s.name or "").split()
        if not words:
            return False
        if len(words) == 1:
            return words[0].lower() in self.by_surname or s.gender is not None
        return not words[0].lower().endswith(("ly", "ous", "ing", "ed", "est", "ive", "al"))

    def resolve(self, s: _Speaker) -> _Speaker | None:
        """Return the speaker a found speaker stands for: a pronoun's antecedent, a surname's full name, a role's
        person; None when a pronoun has no antecedent here."""
        if s.pronoun is not None:
            if s.pronoun in {"he", "she"}:
                want = "m" if s.pronoun == "he" else "f"
                for p in reversed(self.people):
                    g = p.gender
                    if p.name and p.name[:1].isupper() and (g is None or g == want):
                        return replace(p, as_written=s.as_written, role=p.role)
                return None
            if s.pronoun in {"they", "it"}:
                return replace(self.groups[-1], as_written=s.as_written) if self.groups else None
            return None
        if s.name is None:
            return None
        words = s.name.split()
        if len(words) == 1 and words[0].lower() in self.by_surname:
            full = self.by_surname[words[0].lower()]
            return replace(full, as_written=s.as_written)
        if all(w[:1].islower() or w.lower().strip(".") in _TITLES for w in words):
            # "the spokesman", "the Republican candidate": the person the article gave that role
            wanted = {w.lower().strip(".,") for w in words} - _DETERMINERS
            if wanted & _PERSON_ROLE:
                for role_words, p in reversed(self.roles):
                    if wanted <= role_words:
                        return replace(p, as_written=s.as_written)
        return s


_OUTLETS = word_set("Politico Today Breitbart Huffpost Msnbc Reuters Bloomberg Axios Vox Slate")
_ADVERBS = word_set(
    """
    conversely unfortunately fortunately however meanwhile moreover furthermore nevertheless nonetheless
    additionally ultimately similarly likewise instead indeed finally separately overall importantly
    interestingly notably surprisingly clearly obviously apparently basically essentially frankly honestly
    regrettably thankfully hopefully sadly happily ironically curiously oddly
    """
)
_ADVERB_ENDINGS = ("ally", "ately", "ously", "ently", "antly", "ively", "edly", "ingly", "fully", "ibly", "ably")
# Common nouns that name a thing, not someone who speaks ("the company said" names no one a reader can check).
_THINGS = word_set("company companies firm firms release releases statement statements website email")


def may_speak(name: str | None) -> bool:
    """Return whether a speaker's name may be shown on a card: a person, an organisation, a group or a role noun;
    never a dateline ("LOS ANGELES"), a sentence adverb, a year, a bare title ("Dr."), a role written as a name
    ("current Democratic presidential nominee"), a heading or a thing ("company", "release")."""
    if not name:
        return False
    words = name.split()
    bare = [w.strip(".,:;’'").lower() for w in words]
    if ":" in name or "—" in name or "," in name:
        return False  # a heading, a credit line, or a role or place left in the name
    if re.fullmatch(r"[A-Z][A-Z .,'’&-]+", name) and (len(words) > 1 or len(name) >= 7) and not any(
            w.capitalize() in _ORG_WORDS or w.capitalize() in _OUTLETS for w in words):
        return False  # a dateline or a heading in capitals; "NATO", "UNICEF", "POLITICO", "USA TODAY" stay
    if any(re.fullmatch(r"(?:1[89]|20)\d\d", w) for w in bare):
        return False  # a year
    if len(words) == 1 and (bare[0].endswith(_ADVERB_ENDINGS) or bare[0] in _ADVERBS):
        return False  # "Conversely", "Unfortunately"
    if all(w in _TITLES or w in _PERSON_ROLE or w in {"current", "former", "presidential", "top", "senior"}
           for w in bare):
        return bool(name[:1].islower()) and "." not in name  # "the senator" speaks; "Dr." and "Senate Nominee" not
    if name[:1].islower() and (bare[-1] in _TITLES or bare[-1] in _PERSON_ROLE) and any(
            w[:1].isupper() for w in words):
        return False  # "current Democratic presidential nominee": a role written where a name goes
    if name[:1].islower() and bare[-1] in _THINGS:
        return False
    return not (name[:1].islower() and bare[0] in {"according", "to", "by", "of"})


def _attribution(s: _Speaker | None, cue: _Cue, kind: str | None = None) -> Attribution:
    if s is not None and not may_speak(s.name):
        s = None
    if s is None:
        return Attribution(None, cue.cue, kind or cue.kind, as_written=cue.speaker.as_written if cue.speaker else None,
                           via=cue.via)
    return Attribution(s.name, cue.cue, kind or cue.kind, as_written=s.as_written, role=s.role, via=cue.via,
                       vague=s.vague)


def attribute(sentences: Sequence[Sentence]) -> list[Attribution]:
    """Return one attribution per sentence of an article, in order, following quotations across sentences."""
    n = len(sentences)
    own: list[Attribution | None] = [None] * n
    quoted = [False] * n
    bare_quote = [False] * n  # nothing but a quotation: no words of the article's own
    opens_quote = [False] * n
    ends_colon = [False] * n
    continues = [False] * n  # starts inside a quotation opened by the sentence before
    quotation = [False] * n  # someone's quoted words, not a scare-quoted term
    resolver = _Resolver()
    subject: list[_Speaker | None] = [None] * n  # the named person a sentence is about, for a quotation after it
    quoted_by: list[_Speaker | None] = [None] * n  # the subject of a sentence that quotes words and has no cue
    inside = False
    for i, s in enumerate(sentences):
        if i == 0 or s.paragraph != sentences[i - 1].paragraph:
            inside = False
        continues[i] = inside
        masked, inside, quoted[i] = _mask_quotes(s.text, inside)
        opens_quote[i] = s.text.lstrip()[:1] in ('"', "“") or s.text.lstrip().startswith(("''", "``"))
        bare_quote[i] = quoted[i] and not re.search(r"\w", masked)
        quotation[i] = quoted[i] and is_quotation(s.text, masked, continues[i]) or continues[i]
        ends_colon[i] = s.text.rstrip().endswith(":")
        if not re.search(r"\w", masked):
            continue
        toks = _tokens(masked)
        words = [t for t in toks if t.word and t.text[:1].isalpha()]
        headline = i == 0 and len(words) > 2 and sum(t.cap for t in words) > 0.6 * len(words)
        found = _cues(masked, toks, headline=headline)
        if not found:
            main = _main_subject(masked, toks)
            if quoted[i] and main is not None and not main.vague:
                # "Lee fired back that "the voters know my record"": the subject's own words.
                quoter = resolver.resolve(main)
                if quoter is not None and quoter.name and quoter.name[:1].isupper():
                    quoted_by[i] = quoter
            if main is not None and main.name and _plural(main):
                resolver.groups.append(main)  # "These farmers ...": "they" may be them
            if main is not None and main.name and main.person and not main.vague:
                main = resolver.resolve(main)
                if main is not None and main.name and main.name[:1].isupper() and resolver.plausible(main):
                    subject[i] = main
                    resolver.note(main)  # a person the article is talking about: "he" may be them
            continue
        c = found[0]
        speaker = c.speaker
        if c.kind == "reported_main":
            speaker = _main_subject(masked, toks)
            c = replace(c, kind="reported")
        if speaker is None:
            own[i] = _attribution(None, c)
            continue
        if speaker.pronoun == "they":
            main = _main_subject(masked, toks)
            if main is not None and main.name and _plural(main) and masked.find(main.as_written) < c.start:
                resolver.groups.append(main)  # "City leaders are wary, but they do not want ..."
        if speaker.pronoun in {"he", "she"}:
            # "Mrs. Lee leans on him, as she praises ...": the sentence's own subject comes first.
            main = _main_subject(masked, toks)
            if main is not None and main.name and main.person and main.name[:1].isupper() and (
                    masked.find(main.as_written) < c.start) and main.gender in (None, "m" if speaker.pronoun == "he"
                                                                                 else "f"):
                main = resolver.resolve(main)
                if main is not None and resolver.plausible(main):
                    resolver.note(main)
        resolved = resolver.resolve(speaker)
        if resolved is not None and speaker.pronoun is None:
            resolver.note(resolved)
        own[i] = _attribution(resolved, c)

    result: list[Attribution] = []
    run_of: list[Attribution | None] = [None] * n
    i = 0
    previous_run: tuple[int, Attribution] | None = None  # (last sentence, attribution) of the last quotation
    while i < n:
        if not quoted[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and continues[j + 1]:
            j += 1
        run = next((a for a in own[i : j + 1] if a is not None and a.speaker), None)
        before, named = (own[i - 1], subject[i - 1]) if i > 0 else (None, None)
        if run is None and opens_quote[i] and before is not None and before.speaker:
            run = before  # "Smith said:" then the quotation, or a quotation continuing the one before
        if run is None and opens_quote[i] and before is None and named is not None:
            # "Reyes is upbeat." then a quotation: the person just named speaks
            run = Attribution(named.name, None, "quote", as_written=named.as_written, role=named.role)
        if (
            run is None
            and previous_run is not None
            and previous_run[0] == i - 1
            and opens_quote[i]
            and all(bare_quote[k] for k in range(i, j + 1))
        ):
            run = previous_run[1]  # a bare quotation right after an attributed one: the same speaker goes on
        if run is not None:
            run = replace(run, kind="quote")
            previous_run = (j, run)
        for k in range(i, j + 1):
            run_of[k] = run
        i = j + 1

    for i in range(n):
        mine, run = own[i], run_of[i]
        if quoted[i] and mine is not None and mine.speaker:
            result.append(replace(mine, kind="quote"))
        elif mine is not None and mine.speaker:
            result.append(mine)
        elif run is not None:
            result.append(run)
        elif (q := quoted_by[i]) is not None:
            result.append(Attribution(q.name, None, "quote", as_written=q.as_written, role=q.role))
        elif mine is not None:
            result.append(replace(mine, kind="quote") if quoted[i] else mine)
        elif quotation[i]:
            result.append(Attribution(kind="quote"))  # an unattributed quotation, never the outlet's own voice
        else:
            result.append(NO_ATTRIBUTION)
    for i, a in enumerate(result):  # whatever path named it, no dateline, adverb or year speaks
        if a.speaker is not None and not may_speak(a.speaker):
            result[i] = Attribution(kind="quote") if quotation[i] else replace(a, speaker=None, role=None, via=None,
                                                                               vague=False)
    turns = _turns(sentences)
    article = " ".join(s.text for s in sentences) if turns else ""
    for i, s in enumerate(sentences):
        if s.paragraph in turns:  # every sentence of a turn is its speaker's
            result[i] = _turn_attribution(turns[s.paragraph], resolver.by_surname, article)
    return result
