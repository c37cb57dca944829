"""The words attribution reads by: verbs of saying, of stance and of finding, and the words around them
(auxiliaries, settings, times), the heads of noun phrases that name documents, organisations, roles and vague
people, titles and first names that tell a speaker's gender, the words that open a sentence but never a name, and
the words that keep a name from speaking on a card. Word lists only, no rules: a rule that asks "is this a verb of
saying?" asks here."""

from __future__ import annotations

import re

from index.terms import word_set


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
    shout chant yell
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
# Verbs of stance that name words ("Trump called the ruling a disgrace": "a disgrace" is his): they speak as verbs
# of saying do. Every other verb of stance reports a position (wanting, backing, attacking), which the outlet
# states: such a sentence names its subject as the speaker only when it quotes them (`takes_position`).
_NAMING = _forms("call label dub brand") | word_set("labelled labelling")
# Verbs that attribute only when a document, poll or study is their subject ("the poll shows").
_FIND = word_set("show shows showed shown showing find finds found suggest suggests suggested indicate indicates "
                 "indicated reveal reveals revealed conclude concludes concluded estimate estimates estimated")
_POSITION = _STANCE - _SAY - _FIND - _NAMING


def takes_position(cue: str) -> bool:
    """Return whether a cue is a verb of stance that reports a position, not words ("backed", "wants",
    "attacked"; not "called", "said")."""
    words = cue.lower().split()
    return bool(words) and words[0] in _POSITION


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
# Verbs that report words only before a clause, a quotation or a colon ("maintained that", "declared: …"): before a
# noun they report an act ("maintained a large lead", "declared his candidacy", "declared for president").
_BEFORE_A_CLAUSE = _forms("maintain declare respond testify")
# Forms that may come after the quotation they attribute ("...," said Smith).
_INVERTABLE = word_set(
    "said says say added adds wrote writes explained noted notes continued warned claimed stated announced asked "
    "insisted argued recalled cautioned told tells replied responded answered countered concluded observed "
    "remarked quipped joked suggested predicted declared admitted acknowledged conceded reads read reports reported "
    "tweeted commented"
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
    board commission panel coalition caucus police military army navy authorities prosecutors foundation
    charity institute association ministry bureau society federation alliance
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
# More nouns that say what someone is, read only to tell one person under two names (index.identity): the words
# "Defenseman Cale Makar" or "Coach Jared Bednar" carry before the name. The attribution rules do not read them.
_ROLE_NOUNS = word_set(
    """
    defenseman defender forward winger center centre goalie goaltender goalkeeper striker midfielder quarterback
    pitcher catcher outfielder infielder shortstop receiver linebacker guard coach player captain rookie star
    champion skipper owner actor actress singer rapper musician writer novelist poet historian scientist
    researcher doctor physician surgeon nurse teacher student witness farmer detective prosecutor inspector
    engineer entrepreneur investor designer photographer filmmaker director producer
    """
)
# Honorifics and titles before a name; what precedes them (with them) is the speaker's role.
_TITLES = word_set(
    """
    mr mrs ms miss dr prof sir dame lord lady sen sens senator rep reps representative congressman congresswoman gov
    govs
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
    "transcript answer remember twitter facebook instagram pledged superdelegates boom look wow bombshell name age "
    "city job pay title date location topic subject headline summary"
)

_OUTLETS = word_set("Politico Today Breitbart Huffpost Msnbc Reuters Bloomberg Axios Vox Slate")
_ADVERBS = word_set(
    """
    conversely unfortunately fortunately however meanwhile moreover furthermore nevertheless nonetheless
    additionally ultimately similarly likewise instead indeed finally separately overall importantly
    interestingly notably surprisingly clearly obviously apparently basically essentially frankly honestly
    regrettably thankfully hopefully sadly happily ironically curiously oddly thus hence therefore
    """
)
_ADVERB_ENDINGS = ("ally", "ately", "ously", "ently", "antly", "ively", "edly", "ingly", "fully", "ibly", "ably",
                   "tly", "tily", "sily", "pily", "vily", "dily", "rily")  # "Shortly", "Hastily"; not "Emily"
# Common nouns that name a thing, not someone who speaks ("the company said" names no one a reader can check).
_THINGS = word_set(
    "company companies firm firms release releases statement statements website websites email report reports "
    "story stories article articles page pages site sites plan plans bill bills law laws policy policies deal deals "
    "transcript transcripts video videos photo photos image images caption "
    # times and counts: "Two weeks earlier, …", "adds another magic number" ("Day" and "Times" may be names)
    "week weeks days month months year years decade decades hour hours minutes number numbers"
)
# Heads of the common noun phrases that may speak on a card: people, groups of people, organisations and the
# documents and media that carry a claim ("voters said", "the board said", "the poll found"). A lower-case speaker
# whose words hold none of them is a thing, a time or a place ("the past", "a month", "the room"), and names no one.
_PEOPLE = word_set(
    """
    man men woman women boy boys girl girls child children kid kids teen teens teenager teenagers youth adult adults
    parent parents mother mothers father fathers son sons daughter daughters wife husband brother sister family
    families relative relatives neighbor neighbors neighbour neighbours colleague colleagues classmate classmates
    citizen citizens resident residents voter voters caucusgoers caucus-goers electorate public population crowd
    crowds audience audiences fan fans viewer viewers reader readers listener listeners user users netizens
    member members leader leaders official officials lawmaker lawmakers legislator legislators politician
    politicians candidate candidates nominee nominees delegate delegates superdelegates senators congressmen
    governors mayors presidents representatives ministers diplomats ambassadors judges justices jurors jury
    prosecutor prosecutors investigator investigators detective detectives agent agents officer officers
    trooper troopers soldier soldiers troops veteran veterans commander commanders generals
    worker workers employee employees staff staffer staffers aide aides adviser advisers advisor advisors
    consultant consultants strategist strategists operative operatives pollster pollsters analyst analysts
    economist economists scientist scientists researcher researchers expert experts scholar scholars
    academic academics historian historians doctor doctors physician physicians nurse nurses patient patients
    teacher teachers student students professor professors farmer farmers owner owners executive executives
    ceo ceos founder founders investor investors trader traders banker bankers donor donors backer backers
    ally allies friend friends associate associates partner partners rival rivals opponent opponents critic
    critics supporter supporters protester protesters protestor protestors demonstrator demonstrators activist
    activists advocate advocates organizer organizers campaigner campaigners volunteer volunteers
    immigrant immigrants refugee refugees migrant migrants victim victims survivor survivors witness witnesses
    spokesman spokeswoman spokesperson spokespeople spokesmen representative lawyer lawyers attorney attorneys
    journalist journalists reporter reporters correspondent correspondents editor editors columnist columnists
    commentator commentators pundit pundits writer writers author authors host hosts anchor anchors narrator
    moderator moderators observer observers insider insiders source sources person persons people individual
    individuals someone somebody participant participants attendee attendees respondent respondents
    conservatives liberals progressives moderates independents evangelicals christians muslims jews
    democrats republicans americans clergy pastor priest bishop rabbi imam monk monks nun nuns
    authorities authority administration government governments agency agencies department departments ministry
    office offices bureau committee committees commission council councils board boards panel panels party
    parties campaign campaigns team teams group groups organization organizations organisation organisations
    union unions association associations coalition coalitions alliance movement foundation institute
    university universities college school schools court courts police military army navy regime embassy
    company companies firm firms bank banks network networks newspaper newspapers paper magazine outlet outlets
    station broadcaster tabloid website blog airline club church congregation caucus senate house legislature
    parliament cabinet white state states city county town village country nation surveyed polled interviewed
    actor actors actress actresses developer developers diplomat tycoon tycoons mogul moguls neurosurgeon
    surgeon contender contenders heavyweight heavyweights generation couple eyewitness eyewitnesses service
    services brigade rescuers paramedics firefighters
    affidavit ad ads returns book brief opinion ruling evidence remarks message messages page profile
    """
)
# Single capitalised words that open a sentence or tell a time, never a speaker's whole name.
_NOT_A_NAME = word_set(
    """
    january february march april june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow tonight
    some others few many most several both all each either neither another enough half none any
    to throughout wow having reached courted hours weeks months years watch read related update correction
    one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen
    eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand million billion
    dozens hundreds thousands millions
    across along among amid amidst between beyond despite during inside outside toward towards upon within
    without against around behind beneath besides via
    somewhere somehow together whatever whenever wherever perhaps maybe also still yet now then soon later earlier
    already
    given based inspired preceded asked pressed faced followed compared think ask pretty back
    """
)
# Words that open a sentence's setting rather than its subject: "In nearby Decatur,", "Speaking in Harlem,".
_SETTING_OPENERS = word_set("in on at from after before during when while since although though under over against "
                            "despite because until without within through among amid following near nearby across "
                            "outside inside throughout upon monday tuesday wednesday thursday friday saturday sunday")
# The relative pronouns a clause between a subject and its verb opens with ("officials who spoke with … said")
_RELATIVE = word_set("who who'd who’d who's who’s who've who’ve")
# Words that open a clause of their own: the name after them is that clause's subject ("less credit than aides say")
_CLAUSE_OPENERS = word_set("than that because if when while as since although though whether where how what why "
                           "which whom whose unless until")
# Words after an inverted verb that make what follows its object, not its speaker ("continued to affirm …")
_NOT_AFTER_VERB = word_set("to for of in on at with by from that about up out over into")
# The states as news abbreviates them: a place left where a name goes ("Clinton takes Pa., Md. and Del.").
_STATE_ABBREVIATIONS = word_set(
    "ala. ariz. ark. calif. colo. conn. del. fla. ga. ill. ind. kan. ky. la. md. mass. mich. minn. mo. mont. neb. "
    "nev. n.h. n.j. n.m. n.y. n.c. n.d. okla. ore. pa. r.i. s.c. s.d. tenn. tex. vt. va. wis. wyo. d.c. w.va.")
# What a finding is told by when its speaker is a share of people ("In a CNN/ORC poll, 38 percent said")
_POLL_WORDS = word_set("poll survey")
# Words whose "'s" is "has" or "is", not a possessive: "he's predicted big wins", "who's argued for years"
_HAS_CONTRACTED = word_set("he she it who that there what where here everyone somebody nobody")
