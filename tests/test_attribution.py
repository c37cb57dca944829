"""Tests for index.reading.attribution: every sentence of the seed, each cue pattern, quotations across sentences, and
sentences in the article's own voice."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.model import Attribution
from index.reading import attribute, repair_text, split_sentences

SEED = Path(__file__).resolve().parents[1] / "corpus" / "derna.txt"
NONE = Attribution()
BENOTMAN = Attribution("Noman Benotman", "told CNN", "quote")

SEED_ATTRIBUTIONS = [
    NONE,
    NONE,
    Attribution("CNN", "according to a CNN report", "according_to"),
    NONE,
    Attribution("CNN", "reports CNN", "reported"),
    NONE,
    Attribution("CNN", "according to CNN", "according_to"),
    NONE,
    BENOTMAN,
    BENOTMAN,
    BENOTMAN,
    Attribution("International Business Times", "reports the International Business Times", "reported"),
    NONE,
    NONE,
    Attribution("CNN", "The CNN report claims", "reported"),
    NONE,
    NONE,
    NONE,
    Attribution("Martin Dempsey", "said", "reported"),
]


def core(a: Attribution) -> Attribution:
    """Return an attribution with only its speaker, cue and kind (the fields most tests are about)."""
    return Attribution(a.speaker, a.cue, a.kind)


def attributions(text: str) -> list[Attribution]:
    """Return the attributions (speaker, cue, kind) of the sentences of a text."""
    return [core(a) for a in attribute(split_sentences(repair_text(text)))]


def full(text: str) -> Attribution:
    """Return the whole attribution of a text that is a single sentence."""
    sentences = split_sentences(text)
    assert len(sentences) == 1, [s.text for s in sentences]
    return attribute(sentences)[0]


def one(text: str) -> Attribution:
    """Return the attribution (speaker, cue, kind) of a text that is a single sentence."""
    return core(full(text))


def test_every_seed_sentence() -> None:
    sentences = split_sentences(repair_text(SEED.read_text(encoding="utf-8").split("---\n", 2)[2]))
    got = [core(a) for a in attribute(sentences)]
    assert len(got) == len(sentences) == len(SEED_ATTRIBUTIONS)
    for sentence, expected, actual in zip(sentences, SEED_ATTRIBUTIONS, got, strict=True):
        assert actual == expected, sentence.text


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "Prices rose, according to the Central Bank.",
            Attribution("Central Bank", "according to the Central Bank", "according_to"),
        ),
        (
            "According to Reuters, 20 people died.",
            Attribution("Reuters", "According to Reuters", "according_to"),
        ),
        (
            "The road is shut, according to police.",
            Attribution("police", "according to police", "according_to"),
        ),
        (
            "According to a new UN study, crops failed.",
            Attribution("UN", "According to a new UN study", "according_to"),
        ),
        (
            "Sales fell, according to Smith's estimates.",
            Attribution("Smith", "according to Smith's estimates", "according_to"),
        ),
    ],
)
def test_according_to(sentence: str, expected: Attribution) -> None:
    assert one(sentence) == expected


@pytest.mark.parametrize(
    ("sentence", "speaker", "cue"),
    [
        ("John Smith said the bridge was safe.", "John Smith", "said"),
        ("The mayor's office is closed, Jane Doe says.", "Jane Doe", "says"),
        (
            "Noman Benotman, a former jihadist at the Quilliam Foundation, told CNN the group was strong.",
            "Noman Benotman",
            "told CNN",
        ),
        ("Jane Doe told reporters the talks had failed.", "Jane Doe", "told reporters"),
        ("Reuters reports that the port reopened.", "Reuters", "reports"),
        ("The Kremlin claims the convoy carried aid.", "Kremlin", "claims"),
        ("Mr. Smith has repeatedly warned of the danger.", "Smith", "warned"),
        ("Acme Corp announced a recall on Monday.", "Acme Corp", "announced"),
        ("The minister resigned, Ali Hassan added.", "Ali Hassan", "added"),
        ("Senator Mary Jones stated that the bill was dead.", "Mary Jones", "stated"),
        ("But President Barack Obama said the war was over.", "Barack Obama", "said"),
        ("Officials said the road was closed.", "Officials", "said"),
        ("U.S. officials said the road was closed.", "U.S. officials", "said"),
        ("The Pentagon said it would respond.", "Pentagon", "said"),
        ("In Washington, Pentagon spokesman John Kirby said the strikes went on.", "John Kirby", "said"),
        ("The river has burst its banks, said Anna Berg.", "Anna Berg", "said Anna Berg"),
        ("Libya is unstable, reports the Daily Telegraph.", "Daily Telegraph", "reports the Daily Telegraph"),
        (
            "The Amnesty International report claims that prisoners were beaten.",
            "Amnesty International",
            "The Amnesty International report claims",
        ),
    ],
)
def test_reported_speech(sentence: str, speaker: str, cue: str) -> None:
    assert one(sentence) == Attribution(speaker, cue, "reported")


def test_direct_quote_in_one_sentence() -> None:
    assert one('"The city has fallen," said John Smith, a spokesman.') == Attribution(
        "John Smith", "said John Smith", "quote"
    )
    assert one("“We are ready,” Jane Doe told the BBC.") == Attribution("Jane Doe", "told the BBC", "quote")


def test_quote_with_attribution_at_its_end_covers_every_sentence() -> None:
    text = '"We will rebuild. It will take years," Jane Doe said. The meeting ended.'
    assert attributions(text) == [Attribution("Jane Doe", "said", "quote")] * 2 + [NONE]


def test_pronoun_resolves_to_the_last_named_person() -> None:
    text = 'Jane Doe said the dam held. "We will rebuild. It will take years," she said. He told CNN nothing.'
    assert attributions(text) == [
        Attribution("Jane Doe", "said", "reported"),
        Attribution("Jane Doe", "said", "quote"),
        Attribution("Jane Doe", "said", "quote"),
        Attribution("Jane Doe", "told CNN", "reported"),
    ]


def test_pronoun_without_a_named_person_has_no_speaker() -> None:
    assert attributions("The Pentagon said nothing. He said the plan would fail.") == [
        Attribution("Pentagon", "said", "reported"),
        Attribution(None, "said", "reported"),
    ]


def test_quote_continuing_after_the_attributed_sentence() -> None:
    text = '"Prices will rise," Ann Lee told Reuters. "Nobody is ready. Not even the banks."'
    assert attributions(text) == [Attribution("Ann Lee", "told Reuters", "quote")] * 3


def test_bare_quote_paragraph_continues_the_speaker_of_the_one_before() -> None:
    text = '"Prices will rise," Ann Lee said.\n\n"Nobody is ready."\n\nThe market closed early.'
    assert attributions(text) == [Attribution("Ann Lee", "said", "quote")] * 2 + [NONE]


def test_quote_state_resets_at_a_paragraph() -> None:
    text = '"An unclosed quote, Ann Lee said.\n\nThe market closed early.'
    assert attributions(text)[1] == NONE


def test_unattributed_quotation_has_no_speaker() -> None:
    assert one('"Nobody knows."') == Attribution(None, None, "quote")


@pytest.mark.parametrize(
    "sentence",
    [
        "The game was played on February 7, 2016.",
        "So far, Obama has stood by his decision.",
        'The so-called "caliphate" is growing.',
        'The word "said" is a verb.',
        "According to plan, the troops left.",
        "This says a lot about the team.",
        "The company's profits rose by a third.",
        "Libya, however, is pushing back.",
        "As the Reformation continued, Luther lost hope.",
        "Smith was told to leave.",
    ],
)
def test_no_attribution(sentence: str) -> None:
    assert one(sentence) == NONE


def test_one_attribution_per_sentence() -> None:
    assert attribute([]) == []
    text = "A. B said so. C."
    sentences = split_sentences(text)
    assert len(attribute(sentences)) == len(sentences)


# --- issue 10: the cues, forms and resolutions of real news (sentences written for these tests) -------------


@pytest.mark.parametrize(
    ("sentence", "speaker", "cue"),
    [
        ("Maria Lopez added that the vote was close.", "Maria Lopez", "added"),
        ("Tom Reyes noted that turnout fell.", "Tom Reyes", "noted"),
        ("Professor Ann Kim argued the tax would fail.", "Ann Kim", "argued"),
        ("Paul Grant wrote that the deal was dead.", "Paul Grant", "wrote"),
        ("Senator Joan Park tweeted that she would vote no.", "Joan Park", "tweeted"),
        ("The ministry announced that schools would reopen.", "ministry", "announced"),
        ("Carl Webb insisted the money was returned.", "Carl Webb", "insisted"),
        ("The governor's office denied that any deal was made.", "governor's office", "denied"),
        ("Health officials warned that cases would rise.", "Health officials", "warned"),
        ("Rita Moss acknowledged the plan had flaws.", "Rita Moss", "acknowledged"),
        ("Dan Ortiz believes the court will side with him.", "Dan Ortiz", "believes"),
        ("Lena Fisher thinks the race is tied.", "Lena Fisher", "thinks"),
        ("Omar Haddad, 45, of Dayton, Ohio, said the plant would close.", "Omar Haddad", "said"),
        ("A spokesman for the Harbor Authority said the pier was safe.", "Harbor Authority", "said"),
        ("Governor Ruth Adler on Thursday said the budget was balanced.", "Ruth Adler", "said"),
        ("Kate Bell in a statement said the claims were false.", "Kate Bell", "said"),
        ("The bridge will close in May, Mayor Tim Rowe said in an interview with the Courier.", "Tim Rowe",
         "said"),
        ("Sixty percent of voters said the economy was their top issue.", "Sixty percent of voters", "said"),
        ("Jim Ford, a former aide, criticized the plan as reckless.", "Jim Ford", "criticized"),
        ("Critics of the plan, including Ben Cole, have long argued it costs too much.", "Critics of the plan",
         "argued"),
    ],
)
def test_reporting_and_stance_verbs(sentence: str, speaker: str, cue: str) -> None:
    got = one(sentence)
    assert (got.speaker, got.cue) == (speaker, cue)


def test_inverted_forms_and_quotations() -> None:
    assert one('"We are not done," said Rep. Ana Cruz of the Budget Committee.').speaker == "Ana Cruz"
    assert one('"It works," says Nina Patel, a researcher.').speaker == "Nina Patel"
    assert one("''The market will recover,'' said Hugo Lind, an economist.").speaker == "Hugo Lind"
    got = one('"Nobody expected this," the spokeswoman said.')
    assert (got.speaker, got.kind) == ("spokeswoman", "quote")


def test_a_name_before_a_colon_and_a_headline_verb() -> None:
    assert attributions("Warren Lee: The Plan Is Dead.\n\nThe vote is on Monday.")[0].speaker == "Warren Lee"
    assert attributions("Dole Says Senate Will Pass Farm Bill\n\nThe vote is on Monday.")[0].speaker == "Dole"


def test_a_quotation_after_a_sentence_that_names_its_speaker() -> None:
    text = 'Jane Doe spoke to the crowd on Friday.\n\n"We will win this state," she told them. "We have to."'
    got = attributions(text)
    assert [a.speaker for a in got] == [None, "Jane Doe", "Jane Doe"]  # speaking to a crowd is no claim
    text = 'Mayor Tim Rowe was upbeat about the port.\n\n"Ships are coming back."'
    assert attributions(text)[1] == Attribution("Tim Rowe", None, "quote")
    text = 'Jane Doe said the plan would work:\n\n"Nobody is left behind."'
    assert attributions(text)[1].speaker == "Jane Doe"


def test_pronouns_resolve_to_the_latest_speaker_of_their_gender() -> None:
    text = (
        "Mrs. Ann Lee said the bridge was safe. Mr. Tom Hart said it was not. "
        "She said the report proved it. He said the report was old."
    )
    assert [a.speaker for a in attributions(text)] == ["Ann Lee", "Tom Hart", "Ann Lee", "Tom Hart"]
    text = "Sarah Quinn visited the plant on Monday, where she said jobs would return."
    assert one(text).speaker == "Sarah Quinn"


def test_surnames_and_roles_resolve_to_the_person() -> None:
    text = (
        "Gen. Martin Dempsey, chairman of the Joint Chiefs of Staff, said ground troops were an option. "
        "Dempsey said the air campaign would go on. The chairman said more was needed."
    )
    got = [a for a in attribute(split_sentences(text))]
    assert [a.speaker for a in got] == ["Martin Dempsey"] * 3
    assert got[0].as_written == "Gen. Martin Dempsey"
    assert got[0].role == "chairman of the Joint Chiefs of Staff"
    assert got[1].as_written == "Dempsey" and got[2].as_written == "The chairman"


def test_chains_and_vague_sources() -> None:
    got = full("The group holds the port, the International Business Times reported, citing CNN.")
    assert (got.speaker, got.via) == ("International Business Times", "CNN")
    got = full("Smith resigned on Monday, Jane Doe said, according to the Gazette.")
    assert (got.speaker, got.via) == ("Jane Doe", "according to the Gazette")
    for sentence, as_written in [
        ("Sources said the talks had stalled.", "Sources"),
        ("Officials said the road was closed.", "Officials"),
        ("The deal is off, according to people familiar with the talks.", "people familiar with the talks"),
    ]:
        got = full(sentence)
        assert got.vague and got.as_written == as_written, sentence
    assert not full("Jane Doe said the road was closed.").vague


def test_a_quotation_inside_a_quotation_keeps_the_outer_speaker() -> None:
    got = one("\"He told me, 'We are finished,' and left,\" said Omar Haddad.")
    assert (got.speaker, got.kind) == ("Omar Haddad", "quote")


@pytest.mark.parametrize(
    "sentence",
    [
        "Turnout in the state rose by a third.",
        "Voters in Ohio face questions about the new maps.",
        "The hearing continued into the night.",
        "Lawmakers passed the budget on Friday.",
        "The senator's remarks drew applause.",
        "Texas is a large state.",
        "The city backed off, replacing the fee with a grant.",
        "The Lee campaign did not respond to a request for comment.",
        "Ann Lee won the primary, claiming 60 percent of the vote.",
        "That just means the team still has a chance.",
        "The campaign comes ahead of the expected ruling.",
        # taking, agreeing to, being admitted, responding to, testifying before: acts, not words; a time, a
        # byline and an aside
        "Sanders had also claimed a victory in the primary.",
        "The group claimed responsibility for the attack.",
        "Bob agreed to talk on condition that his name not be used.",
        "Refugees admitted to the United States are Christian.",
        "Two weeks earlier, voters dealt a blow by rejecting a treaty.",
        "Carson has responded to the rant.",
        "Clinton testified before the panel last fall.",
        "Phillip reported from Oakland, Calif.",
        "Sanders has a net positive, although it's fair to say that he has drawn fewer attacks.",
    ],
)
def test_no_over_attribution(sentence: str) -> None:
    assert one(sentence).speaker is None


def test_according_to_at_the_start_or_the_end_governs_the_sentence() -> None:
    got = one("According to a court filing, Ann Lee and Tom Hart told investigators they knew nothing.")
    assert (got.speaker, got.kind) == ("court filing", "according_to")
    got = one("The senator leads by ten points, according to a Quinn/Ellis poll.")
    assert got.speaker == "Quinn/Ellis"
    got = full("Turnout rose sharply in the north, according to officials who asked not to be named.")
    assert (got.speaker, got.vague) == ("officials", True)


def test_roles_as_the_article_gives_them() -> None:
    got = full('"It works," said Dana Reyes, a physicist at the Harbor Institute.')
    assert (got.speaker, got.role) == ("Dana Reyes", "a physicist at the Harbor Institute")
    got = full("Pentagon spokesman John Kirby said the strikes went on.")
    assert (got.speaker, got.as_written) == ("John Kirby", "Pentagon spokesman John Kirby")
    assert got.role == "Pentagon spokesman"
    got = full('"We are not done," said Rep. Ana Cruz of the Budget Committee.')
    assert (got.speaker, got.role) == ("Ana Cruz", "of the Budget Committee")
    got = full('"Nothing changed," said the former top aide to the governor.')
    assert (got.speaker, got.kind) == ("former top aide", "quote")


# --- issue 23: a named speaker is right, a quotation is never the outlet's voice, no dateline speaks -------------


def test_a_quotation_without_a_speaker_is_marked_unattributed() -> None:
    text = ("Ferry fares\n\nThe council met on Monday. “Fares will rise for everyone on the island next spring.” "
            "Nobody at the meeting would say more.")
    got = attribute(split_sentences(text))
    assert (got[2].kind, got[2].speaker, got[2].unattributed) == ("quote", None, True)
    assert not got[3].unattributed and got[3].speaker is None


def test_a_sentence_continuing_a_quotation_carries_its_speaker_or_is_unattributed() -> None:
    text = ("Ferry fares\n\nThe harbour is busy. “We cannot keep the old boats. They leak every winter. "
            "Nobody wants that,” one worker wrote on a forum.")
    got = attribute(split_sentences(text))
    assert [(a.kind, a.speaker) for a in got[2:]] == [("quote", "one worker")] * 3
    unsigned = "Ferry fares\n\nThe harbour is busy. “We cannot keep the old boats. They leak every winter.”"
    assert [(a.kind, a.speaker) for a in attribute(split_sentences(unsigned))[2:]] == [("quote", None)] * 2


def test_a_scare_quoted_term_stays_the_articles_own_voice() -> None:
    assert one("The so-called “harbour tax” is back on the table.") == NONE


def test_he_stands_for_nobody_when_two_people_fit() -> None:
    got = attributions("Ferry fares\n\nLee met Hart on Monday. He said the port was late.")
    assert got[2].speaker is None


def test_she_never_stands_for_a_man() -> None:
    got = attributions("Ferry fares\n\nMr. Tom Hart spoke first. She said the port was late.")
    assert got[2].speaker is None


def test_an_unresolved_pronoun_inside_a_quotation_gives_the_quotation_to_its_owner() -> None:
    text = ("Ferry fares\n\n“The port is late,” Dana Reyes said. “He said it would open in May, and it did not.”")
    got = attributions(text)
    assert got[2].speaker == "Dana Reyes"


def test_transcript_turns_are_each_their_speakers() -> None:
    text = ("Debate night\n\nJane Roe and Governor Tom Hart met on stage.\n\n"
            "ROE: Tom Hart knows as much about ships as I do about trains. He never built one.\n\n"
            "HART: That is not true. I built the harbour.\n\nQ: What comes next?\n\nWN: Thank you both.")
    got = attribute(split_sentences(text))
    assert [(a.speaker, a.kind) for a in got[2:]] == [
        ("Jane Roe", "quote"), ("Jane Roe", "quote"), ("Tom Hart", "quote"), ("Tom Hart", "quote"),
        (None, "quote"), ("Wikinews", "quote")]
    assert got[6].unattributed


def test_one_label_before_a_colon_is_a_heading_not_a_transcript() -> None:
    got = attributions("Ferry fares\n\nBREAKING: Fares will rise next spring.\n\nThe council voted on Monday.")
    assert got[1].speaker is None


@pytest.mark.parametrize(
    "name",
    ["PORTVILLE", "NEW HARBOUR", "Conversely", "Unfortunately", "Corrected, :", "1998", "according to the board's",
     "company", "release", "Dr.", "current Green Party nominee", "Wharf Manager Ida Pell, Dock", "Shortly", "Hastily",
     "Pa.", "N.H."],
)
def test_what_is_no_name_never_speaks(name: str) -> None:
    from index.reading.attribution import may_speak

    assert not may_speak(name)


@pytest.mark.parametrize("name", ["Ada Quill", "the Transit Union", "officials", "senator", "NATO", "Beverly Holt",
                                  "Reuters", "CNN", "Emily", "Kelly", "Bentley"])
def test_people_organisations_groups_and_roles_speak(name: str) -> None:
    from index.reading.attribution import may_speak

    assert may_speak(name)


@pytest.mark.parametrize(
    "name",
    ["It’s", "That's", "Tuesday's", "October", "Some", "Others", "the past", "a month", "the room",
     "the unrest in Harbour", "gas pipelines", "a congressional report", "Report", "42%", "To Quill",
     "FERRY FARES RISE AGAIN", "Thus", "Having", "Democratic plan", "former Republican presidential candidate",
     "Watch", "the video", "His Catholic", "Thirteen", "Thirty", "Across", "Between", "Somehow", "Together",
     "Based", "Inspired", "Given", "At Harbour Hall in Portville", "In Portville"],
)
def test_a_time_a_place_a_thing_or_an_opening_word_never_speaks(name: str) -> None:
    from index.reading.attribution import may_speak

    assert not may_speak(name)


def test_a_participle_before_the_speakers_is_not_part_of_their_name() -> None:
    got = attributions("Ferry fares\n\nThe mayor is among those sounding the alarm, echoing security experts who say "
                       "the pier is unsafe.\n\nThe union was out-shouting Ada Quill, who said the fares would rise.")
    assert [a.speaker for a in got[1:]] == ["security experts", "Ada Quill"]


def test_after_a_clause_that_quotes_someone_the_main_clause_speaks() -> None:
    got = attributions('Ferry fares\n\nAfter Ada Quill said the pier was "a danger to all," Tom Hart said: "The pier '
                       'stays open."')
    assert got[1].speaker == "Tom Hart"


def test_he_in_the_main_clause_is_the_speaker_of_the_clause_before() -> None:
    got = attributions("Ferry fares\n\nCouncillor Tom Hart wrote to Quill on Monday.\n\nWhile Quill said the pier "
                       "was unsafe, he said there was no money to mend it.")
    assert got[2].speaker == "Quill"


def test_a_sentence_that_opens_with_a_number_or_a_preposition_names_no_speaker() -> None:
    got = attributions("Ferry fares\n\nThirteen years earlier, she had voted for the \"harbour bill of 1990\" "
                       "with most of the council.\n\nAcross town, \"shouting from the rooftops\" for the union, is "
                       "a ferry pilot.")
    assert [a.speaker for a in got[1:]] == [None, None]


@pytest.mark.parametrize(
    "name",
    ["half of voters", "those surveyed", "most economists", "the board", "a person familiar with the talks",
     "early results of exit polls conducted for the Harbour Gazette", "de Vos", "the fire service", "an eyewitness",
     "the poll", "Theresa May", "his campaign"],
)
def test_people_groups_counts_of_people_and_polls_speak(name: str) -> None:
    from index.reading.attribution import may_speak

    assert may_speak(name)


def test_a_thing_as_the_subject_of_a_cue_names_no_one() -> None:
    assert one("The oil and gas pipelines always pointed north to the old capital.").speaker is None
    assert one("A month before the vote, the ferry board said fares would rise.").speaker == "ferry board"


def test_he_never_stands_for_a_group_named_before() -> None:
    got = attributions("Harbourians said on Monday that the ferry must stay.\n\n"
                       "\"The ferry is our road,\" he said.")
    assert got[1].speaker is None


@pytest.mark.parametrize("sentence", [
    "Ada Quill: 1,769.", "Harbour: Tim Albrecht, Brad Anderson, Rob Barron, Ida Pell.", "Twitter: @quill.",
    "Answer: A boy.", "Remember: the ferry was late."])
def test_a_name_before_a_colon_that_heads_a_tally_or_a_list_does_not_speak(sentence: str) -> None:
    assert one(sentence).speaker is None


@pytest.mark.parametrize("sentence", [
    "Ada Quill won the Harbour primary, adding to her run of victories.",
    "Ada Quill holds 270 pledged delegates.", "The ferry has a lounge for added comfort."])
def test_a_verb_of_saying_used_for_a_sum_or_as_an_adjective_is_no_cue(sentence: str) -> None:
    assert one(sentence).speaker is None


def test_adding_to_reporters_is_still_a_cue() -> None:
    assert one("Ada Quill spoke for an hour, adding to reporters that the ferry will run.").speaker == "Ada Quill"


def test_a_name_after_a_closing_said_speaks_even_after_a_long_clause() -> None:
    got = full("In a year when arguments against high fares are resonating with commuters, councils have more room "
               "to walk away from the ferry, said Ada Quill, a harbour analyst.")
    assert (got.speaker, got.role) == ("Ada Quill", "a harbour analyst")


@pytest.mark.parametrize(("sentence", "speaker"), [
    ("\u201cThe ferry stays,\u201d Ada Quill, 69, told Harbour Radio on Monday.", "Ada Quill"),
    ("Ida Pell, a spokeswoman for the port, says Quill would ride the ferry daily.", "Ida Pell"),
    ("Tom Hart, a dock worker, said Quill will win the vote.", "Tom Hart"),
])
def test_a_name_after_told_or_a_clause_after_said_is_not_the_speaker(sentence: str, speaker: str) -> None:
    assert one(sentence).speaker == speaker


def test_a_setting_with_commas_of_its_own_is_not_the_subject() -> None:
    got = one("At a campaign event in Portville, Maine, on Sunday, Ada Quill tried to expand on her statement, "
              "saying the ferry must stay.")
    assert got.speaker == "Ada Quill"


def test_a_participle_after_a_dash_takes_the_subject() -> None:
    assert one("Ada Quill changed her vote on the spot \u2013 saying the ferry must stay.").speaker == "Ada Quill"


def test_a_name_before_a_colon_speaks_in_a_headline() -> None:
    assert one("Ada Quill: The Ferry Will Run All Winter.").speaker == "Ada Quill"


def test_a_place_that_is_also_a_first_name_is_no_one_a_pronoun_stands_for() -> None:
    got = attributions("Charlotte braced for the storm on Monday.\n\n\u201cWe will rebuild,\u201d she said.")
    assert got[1].speaker is None
    got = attributions("Mrs. Pell braced for the storm on Monday.\n\n\u201cWe will rebuild,\u201d she said.")
    assert got[1].speaker == "Pell"


def test_a_title_stays_with_the_name_not_as_the_role() -> None:
    got = full("Dr. Ada Quill said the port pays.")
    assert (got.speaker, got.as_written, got.role) == ("Ada Quill", "Dr. Ada Quill", None)


# --- issue 23, rules 6: a verb of stance reports a position, which the outlet states --------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "Senator Joan Park backed the bill on Tuesday.",
        "Dan Ortiz wants a recount in three counties.",
        "The Harbor Authority opposes the new pier.",
        "Mayor Tim Rowe attacked the council over the budget.",
        "Rita Moss plans to run for governor next year.",
    ],
)
def test_a_position_without_words_is_the_outlets_own_voice(sentence: str) -> None:
    assert one(sentence) == Attribution(None, None, "none")


def test_a_position_with_a_quotation_or_words_is_its_subjects() -> None:
    got = one('Mayor Tim Rowe attacked the council: "They have wasted a year."')
    assert (got.speaker, got.kind) == ("Tim Rowe", "quote")
    assert one("Trump called the ruling a disgrace.").speaker == "Trump"  # "a disgrace" are his words
    got = one("Dan Ortiz backed the bill, Kate Bell said.")  # the words are Kate Bell's
    assert (got.speaker, got.cue) == ("Kate Bell", "said")
    # "called for", "called on" report a position, as "backed" does, unless words are quoted
    assert one("Trump called for a ban on Muslims entering the country.").speaker is None
    assert one("Biden called on Kurds not to cross the river.").speaker is None
    assert one('Biden called on Kurds to "stay where you are."').speaker == "Biden"


def test_the_subject_of_a_position_is_still_whom_a_pronoun_and_a_quotation_after_it_stand_for() -> None:
    text = ("Nina Patel backed the plan on Monday. She said it would cut fares.\n\n"
            '"Riders have waited long enough."')
    assert [a.speaker for a in attributions(text)] == [None, "Nina Patel", "Nina Patel"]
    got = attributions('Mayor Ruth Adler opposes the tax.\n\n"It would drive shops away."')
    assert [a.speaker for a in got] == [None, "Ruth Adler"]


def test_a_named_appositive_with_where_they_are_from_speaks_after_its_role() -> None:
    got = full("A voter, Ann Lee of Dayton, said the race was tied.")
    assert (got.speaker, got.role) == ("Ann Lee", "A voter")
    assert one("One farmer, Ben Cole of Austin, Texas, told reporters the crop had failed.").speaker == "Ben Cole"
    assert one("A spokesman, Tom Hart, said the plant would close.").speaker == "Tom Hart"  # as before


def test_a_speaker_written_as_a_possessive_is_shown_as_the_person() -> None:
    assert one("Tom Hart's eyes welled with tears as he urged voters to back the plan.").speaker == "Tom Hart"
    assert one("Bill Clinton’s stock answer then — “I’ll be alright whatever happens” — is famous.").speaker == (
        "Bill Clinton")
    assert one("Ruth Adler's spokesman said the pier was safe.").speaker == "Ruth Adler's spokesman"  # not a possessive


def test_a_quotation_whose_attribution_was_split_off_after_it_is_the_tails_speakers() -> None:
    text = "The crowd cheered.\n\n“Russia, if you’re listening, I hope you find the emails.” Trump said."
    assert [a.speaker for a in attributions(text)] == [None, "Trump", "Trump"]
    got = attributions('"Have I started writing my speech?" Sanders replied.')
    assert [(a.speaker, a.kind) for a in got] == [("Sanders", "quote"), ("Sanders", "reported")]
    # a sentence with a claim of its own after the quotation is not its tail: the quotation stays unattributed
    text = 'Prices rose. "We are worried." Ann Lee said on Tuesday that the port was closed and nobody knew why.'
    assert [a.speaker for a in attributions(text)] == [None, None, "Ann Lee"]


def test_someone_unnamed_described_by_a_role_after_a_speaks_as_a_vague_source() -> None:
    got = full("A Democratic aide said the comments were consistent with earlier statements.")
    assert (got.speaker, got.vague) == ("Democratic aide", True)
    got = full('"We will not back down," said a senior Obama administration official.')
    assert (got.speaker, got.kind, got.vague) == ("senior Obama administration official", "quote", True)
    # "the" names a person the article names elsewhere; a role alone, or with a year, is still no name
    assert one("The Republican presidential candidate said the vote was rigged.").speaker is None
    assert one("A 2008 Clinton veteran said the vote was close.").speaker is None


def test_people_briefed_on_or_involved_in_something_and_a_subject_here_speak() -> None:
    assert one("People briefed on the move said it reflected a crisis.").speaker == "People"
    assert one("Officials involved in the talks said a deal was near.").speaker == "Officials"
    assert one("Her campaign workers here said they had knocked on every door.").speaker == "Her campaign workers"


def test_maintain_and_declare_report_words_only_before_a_clause() -> None:
    assert one("Donald Trump and Ted Cruz maintained their battle atop the polls.").speaker is None
    assert one("She declared for president in May.").speaker is None
    assert one("Lee maintained that the vote was fair.").speaker == "Lee"
    assert one("Lee maintained he was innocent.").speaker == "Lee"
    assert one('"We are open," the mayor declared.').speaker == "mayor"
    # and the verbs whose acts rules 7 sets apart (see test_no_over_attribution) still speak with words
    assert one("Lee admitted to lying.").speaker == "Lee"
    assert one("Lee agreed that the vote was fair.").speaker == "Lee"
    assert one("Lee claimed the vote was rigged.").speaker == "Lee"
    assert one("Even so, a number of attendees said they supported him.").speaker == "number of attendees"
    assert one("Carson responded that the rant was beneath him.").speaker == "Carson"
    assert one('"It was beneath him," Carson responded.').speaker == "Carson"
    assert one("Clinton testified that she had sent no classified email.").speaker == "Clinton"
    assert one("The Times reported from its archive that the plan had failed.").speaker == "Times"


def test_a_split_off_tail_names_the_quotation_before_a_subject_named_earlier_does() -> None:
    text = ("The Republican nominee caused howls of outrage Wednesday, with a reference to the emails.\n\n"
            "“Russia, if you’re listening, I hope you find the emails.” Trump said.")
    assert [a.speaker for a in attributions(text)] == [None, "Trump", "Trump"]
    text = ('Maddow pressed her on the point.\n\n"I am not sure you know he is available, but we will see, right?" '
            "Clinton remarked, alluding to the actor's latest role.")
    assert [a.speaker for a in attributions(text)][1:] == ["Clinton", "Clinton"]
    assert [a.speaker for a in attributions('"Or do we make promises we cannot keep?" Clinton asked.')] == [
        "Clinton", "Clinton"]


def test_a_main_clause_cue_wins_over_an_opening_participle_or_a_clause_of_time() -> None:
    got = one('Remarking upon her "genuine empathy," Starr said, "Leave aside the unpleasantness."')
    assert (got.speaker, got.cue) == ("Starr", "said")
    got = one('Later, after the interview concluded, Maher stated that the report "was not good."')
    assert (got.speaker, got.cue) == ("Maher", "stated")
    # a cue in a clause of time after the quotation does not close the sentence: "she" stays the speaker
    assert one('"Really," she added when the interviewer expressed shock.').cue == "added"


def test_a_name_after_with_speaks_through_the_participle_and_as_x_put_it() -> None:
    got = one("The attack sparked a debate, with Senator John McCain telling reporters the president was to blame.")
    assert (got.speaker, got.cue) == ("John McCain", "telling")
    assert one('As John Cornyn put it: "This person will not be confirmed."').speaker == "John Cornyn"
    assert one('As The Post\'s Dana Milbank puts it, "Senate Republicans are unmoved."').speaker == "Dana Milbank"
    assert one("The debate went on, with the vote put off until May.").speaker is None
    # the name after "told" is the one told, never the speaker
    assert one('Calling it "another apology", a victim, an abuse charity, told Reuters "it was prepared".').speaker != (
        "Reuters")


def test_an_opening_setting_before_a_name_and_its_role_is_not_a_place() -> None:
    got = full('In July, Aaron, vice chairman of the firm, told Forbes that Trump is "very involved" in it.')
    assert (got.speaker, got.role) == ("Aaron", "vice chairman of the firm")


def test_a_heading_name_colon_over_its_own_paragraph_is_the_outlets_voice() -> None:
    text = "Each candidate needs something tonight.\n\nRubio: Finish second.\n\nHe has to beat Cruz and Bush here."
    assert [a.speaker for a in attributions(text)] == [None, None, None]
    # a transcript's turns still speak, and so does a name before a colon in running text
    text = "The debate began.\n\nTAPPER: Are you ready?\n\nTRUMP: Totally ready."
    assert [a.speaker for a in attributions(text)][1:] == ["Tapper", "Trump"]


def test_a_pronoun_finds_a_person_named_after_a_lower_case_role_or_in_an_appositive() -> None:
    text = ("Democratic presidential front-runner Hillary Clinton stretched the truth, when she claimed it.\n\n"
            '"He is becoming their best recruiter," she said.')
    assert [a.speaker for a in attributions(text)] == ["Hillary Clinton", "Hillary Clinton"]
    text = ("One superdelegate, state party chairwoman Nancy Worley, pledged her vote to Clinton.\n\n"
            '"We need to bring a close to this," she said.')
    assert [a.speaker for a in attributions(text)] == ["Nancy Worley", "Nancy Worley"]
    assert one("A spokeswoman, press secretary Jen Psaki, said the talks would go on.").speaker == "Jen Psaki"
    assert one("Smith, a former aide to Senator Ann Lee, said the vote was close.").speaker == "Smith"


def test_a_cue_set_off_by_commas_inside_the_sentence_governs_it() -> None:
    got = one("The documents indicate, Tom Fitton said in a telephone interview, that the two worked hand in hand.")
    assert (got.speaker, got.cue) == ("Tom Fitton", "said")
    got = one("The golf industry, Ann Lee said, is doing much better.")
    assert got.speaker == "Ann Lee"


def test_a_surname_stands_for_the_full_name_met_anywhere_before_it() -> None:
    text = ("Voters cheered Hillary Clinton in Iowa.\n\n"
            "In an interview with ABC News over the weekend, Clinton laughed off the attack ad.\n\n"
            '"It shows how desperate they are," she said.')
    assert [a.speaker for a in attributions(text)] == [None, None, "Hillary Clinton"]
    # a surname two people share stands for neither, and a full name after the pronoun does not count
    text = ("Voters cheered Bill Clinton and Hillary Clinton.\n\nClinton laughed off the ad.\n\n"
            '"It shows how desperate they are," she said.')
    assert attributions(text)[2].speaker is None
    text = 'Clinton laughed off the ad.\n\n"It shows how desperate they are," she said.\n\nHillary Clinton left.'
    assert attributions(text)[1].speaker is None


def test_a_full_name_counts_when_written_as_a_possessive_or_after_a_title() -> None:
    # "Hillary Clinton's" names her in full as "Hillary Clinton" does
    text = ("Voters cheered Hillary Clinton's speech in Iowa.\n\n"
            "Clinton laughed off the attack ad.\n\n"
            '"It shows how desperate they are," she said.')
    assert [a.speaker for a in attributions(text)] == [None, None, "Hillary Clinton"]
    # a title says a name is a person's whatever the first name; "he" then stands for the subject just named,
    # not for a name inside the words he reports
    text = ("The mayor declined Deputy Mayor Teodor Vasko's offer to resign over the leaked audio.\n\n"
            "Vasko filed his resignation after the recording spread. "
            'He said the mayor is "a model of patience"; however, "to end any doubt, I wrote a letter", he added.')
    assert attributions(text)[2].speaker == "Teodor Vasko"
    # a headline's capitals after a title are no one's name
    text = ("Senator Endorsed Harris Rally.\n\nVoters cheered Jim Harris.\n\n"
            "Harris laughed off the ad.\n\n"
            '"It shows how desperate they are," he said.')
    assert attributions(text)[3].speaker == "Jim Harris"


def test_one_unnamed_source_a_tail_with_a_participle_shouting_and_an_opening_asked() -> None:
    got = full('"This is crucial for both of them," said one former GOP leadership aide.')
    assert (got.speaker, got.vague) == ("one former GOP leadership aide", True)
    got = full('"It is a way to take part," says a source involved in the PAC\'s creation.')
    assert (got.speaker, got.vague) == ("source", True)
    text = 'Laughter erupted. "What kind of people do I have here?" Trump asked, looking far from displeased.'
    assert [a.speaker for a in attributions(text)] == [None, "Trump", "Trump"]
    text = 'The crowd roared. "All the way!" Dawson shouted, shorthand for taking the fight to the convention.'
    assert [a.speaker for a in attributions(text)] == [None, "Dawson", "Dawson"]
    assert one('The crowd chanted back at him, "Send them home."').speaker == "crowd"
    got = one('Asked if he was encouraging violence with his statement, Trump replied, "Well, maybe so."')
    assert (got.speaker, got.cue) == ("Trump", "replied")
    assert one('"We will see," said former senator Ann Lee.').speaker == "Ann Lee"


def test_an_opening_of_a_quotation_added_to_an_outlet_and_a_cue_of_words_before_a_position() -> None:
    got = one('Of Carson, Levine, who has given money to Rubio, said, "He is flat-out scary."')
    assert got.speaker == "Levine"
    assert one('"It was 50 percent more than her show," Trump added to People.').speaker == "Trump"
    assert one("The win added to his lead.").speaker is None
    got = one('Trump, later alleging that Obama wanted to admit 250,000 Syrians, said he would deport "mostly men."')
    assert (got.speaker, got.cue) == ("Trump", "said")


def test_a_capitalised_group_noun_a_sentence_adverb_and_a_possessed_thing_are_no_he_or_she() -> None:
    text = ('Hillary Clinton spoke first.\n\nCandidates who think "the region does not matter are wrong," she said.')
    assert attributions(text)[1].speaker == "Hillary Clinton"
    assert one("Pretty soon she would have to tell Bharara.").speaker is None
    assert one("Her difficulties said much about the race.").speaker is None
    assert one("His spokesman said the talks were over.").speaker == "His spokesman"


def test_a_two_word_state_after_a_town_in_an_opening_setting_is_no_subject() -> None:
    got = one('Speaking at a town hall in Salem, New Hampshire, Trump went after Bush, calling him "a total stiff."')
    assert got.speaker == "Trump"


def test_a_setting_of_time_before_a_name_and_its_role_keeps_the_name_for_a_pronoun() -> None:
    text = ("On Sunday, Hillary Clinton, the Democratic front-runner, called on tech companies to act.\n\n"
            '"Resolve means depriving them of territory," she told an audience.')
    assert [a.speaker for a in attributions(text)] == [None, "Hillary Clinton"]


def test_a_law_a_place_or_an_ordinal_name_is_no_one_he_or_she_stands_for() -> None:
    text = ("Bernie Sanders spoke in Ohio.\n\nThe Fourteenth Amendment guarantees equal protection.\n\n"
            '"We will win," he said.')
    assert attributions(text)[2].speaker == "Bernie Sanders"


def test_a_verb_opening_a_sentence_inverts_only_as_said_does() -> None:
    assert one("Declared 2016 Presidential Candidates.").speaker is None
    got = one('Asked if he was encouraging violence, Trump replied, "Well, maybe so."')
    assert (got.speaker, got.cue) == ("Trump", "replied")


def test_an_interview_with_turns_labelled_by_name_attributes_every_turn() -> None:
    text = ("The author spoke to us.\n\nWikinews: Why did you start it?\n\n"
            "HughMcGuire: I think a vibrant public domain is important. CC makes things more complex.\n\n"
            "Wikinews: Do you record?\n\nHughMcGuire: Yes. I still do the odd chapter.")
    assert [a.speaker for a in attributions(text)] == [
        None, "Wikinews", "HughMcGuire", "HughMcGuire", "Wikinews", "HughMcGuire", "HughMcGuire"]
    # names that open one paragraph each are headings, not turns
    text = "The race is on.\n\nSanders: Win in a walk.\n\nHe leads by 20.\n\nRubio: Finish second.\n\nHe trails."
    assert [a.speaker for a in attributions(text)] == [None] * 5


def test_a_role_of_a_place_before_a_name_an_age_before_who_told_by_and_tweeted_after_a_quotation() -> None:
    got = full('The mayor of London, Sadiq Khan, thanked "the police for their swift response".')
    assert (got.speaker, got.role) == ("Sadiq Khan", "The mayor of London")
    assert one("Tom Hart of Portland, Ore., said the plan was fine.").speaker == "Tom Hart"
    assert one('Another was tour manager Thomas Gray, 24, who cited rugby: "one in, all in."').speaker == "Thomas Gray"
    got = one('That day he was told by Emergencies Minister Yevgeny Zinichev of "36 to 40 people under the rubble".')
    assert (got.speaker, got.cue) == ("Yevgeny Zinichev", "told by")
    assert one('"I am in awe of the people who ran towards danger" tweeted Mayor Sadiq Khan.').speaker == "Sadiq Khan"


@pytest.mark.parametrize(
    ("sentence", "speaker"),
    [
        # an opening setting (a preposition, a weekday, a participle and its phrase) is no one; the name after it is
        ("Alarmed by the flooding in Dorset, Senator Ann Lee, the committee chair, said the levees would hold.",
         "Ann Lee"),
        ("Speaking in Leeds, Hart, without naming her, also accused Lee of ignoring the north.", "Hart"),
        ("Monday at Harbour College in Bray, OR, after winning the count, Mayor Tom Hart (D-Ore.), said, "
         "“We are ready to govern.”", "Tom Hart"),
        ("While Quinn did not spell out the plan in detail, Rep. Ana Cruz, R-Tex., says it is close.", "Ana Cruz"),
        ("In a radio interview, Dr Ada Quill, an economist from Harbour University, said prices would fall.",
         "Ada Quill"),
        # the role after an inverted "said", then who holds it
        ("In nearby Bray, the ferry company is hanging on, but it is under pressure from imports, said the company's "
         "chief executive, John J. Roe.", "John J. Roe"),
        # a relative or participle clause between the subject and the verb is the subject's, not its last name's
        ("Current and former officials who spoke with The Harbour Times said the fund had run dry.",
         "former officials"),
        ("Mr. Roe, who had addressed the Harbour Council on Thursday, said on Sunday that the vote was rigged.", "Roe"),
        ("Many of the local party leaders who would rather be working on a campaign for Ann Lee said they would "
         "back the ticket.", "Many of the local party leaders"),
        ("Another intelligence source speaking to Channel 9 said, “The agents are investigating.”",
         "Another intelligence source"),
    ],
)
def test_a_setting_or_a_clause_before_the_verb_is_not_its_speaker(sentence: str, speaker: str) -> None:
    assert one(sentence).speaker == speaker


def test_a_name_that_opens_a_clause_of_its_own_is_that_clauses_subject() -> None:
    # "who Lee said": no verb between the relative and the name, so the name speaks
    assert one("Hart, who Lee said was unfit, left the race.").speaker == "Lee"
    # "less credit than aides say": the clause after "than" is the aides'
    assert one("It has exasperated Mr. Hart, who has gotten less credit than aides say he deserves.").speaker == "aides"
    # "…, 67 percent, say they will vote for Lee", "…, continued to affirm their support for Lee": no speaker after
    for sentence in ("Among likely voters, about two-thirds, 67 percent, say they will vote for Lee.",
                     "While many members, like Mr. Roe, continued to affirm their support for Ms. Lee, others left."):
        assert one(sentence).speaker is None


def test_a_question_put_to_the_subject_is_not_their_words_and_a_name_after_a_dash_owns_the_quotation() -> None:
    for sentence in ("Hart was asked, “If you had known about the server, would you have told her?”",
                     "In an interview with the Gazette, Lee was asked, “What is the most dangerous place you saw?”"):
        got = one(sentence)
        assert (got.speaker, got.kind) == (None, "quote")  # an unattributed quotation, not the subject's words
    assert one("Lee fired back that “the voters know my record and they trust it.”").speaker == "Lee"
    for sentence, speaker in (
            ("Pollsters agree - Ada Quill: “Keep on contacting voters as late as possible.”", "Ada Quill"),
            ("Estimates of turnout are a problem - Harbour Research: “All the samples include engaged voters.”",
             "Harbour Research"),
            ("Signs of a surge were there all along -More from Lee and Hart: “The data confirm it.”", "Lee and Hart")):
        assert one(sentence).speaker == speaker


def test_a_polls_finding_is_the_polls_not_the_share_of_voters() -> None:
    for sentence, poll in (
            ("In a Harbour Gazette/WKRP poll released Monday, 38 percent of voters said the mayor should resign.",
             "Harbour Gazette/WKRP"),
            ("A Quill Research poll in June showed that 72 percent of voters said the fares bothered them.",
             "Quill Research"),
            ("Some 55 percent of riders said the ferry was late, according to a Harbour Institute survey.",
             "Harbour Institute"),
            ("In a poll conducted by the Harbour Gazette and WKRP, just 28 percent of voters said they trusted Lee.",
             "Harbour Gazette and WKRP")):
        got = one(sentence)
        assert (got.speaker, got.kind) == (poll, "according_to")
    # no poll named, or a speaker who is someone: as before
    assert one("Voters said the poll was rigged.").speaker == "Voters"
    assert one("Ann Lee said the Harbour Gazette poll was wrong.").speaker == "Ann Lee"


def test_a_quotation_then_a_name_and_any_verb_is_the_names() -> None:
    for sentence, speaker in (('“Harbour will always be Harbour,” an angry Hollis retaliated.', "Hollis"),
                              ("“The Gazette is claiming that you met them in January,” Hannity started.", "Hannity"),
                              ("“Imagine Ann Lee going up against them,” mused Blaze co-host Stu Quill.", "Stu Quill"),
                              ("''Choke!'' blared the front page of The Harbour Herald.", "Harbour Herald")):
        got = one(sentence)
        assert (got.speaker, got.kind) == (speaker, "quote")
    # a title in quotation marks, or a quotation that does not end in its own comma, is nobody's words here
    assert one("“The Apprentice” aired Thursdays.").speaker is None
    assert one("“Oh no!” the crowd roared.").speaker is None


def test_adding_a_thing_and_boasting_a_lead_are_no_words_and_things_are_no_they() -> None:
    for sentence in ("In the new year he could add another job title to his resume.",
                     "Paul asked how it is conservative to add a trillion dollars in spending.",
                     "She boasts a roughly 45-point lead nationally."):
        got = attributions(f"Ann Lee spoke.\n\n{sentence}")[1]
        assert got.speaker is None or got.cue not in {"add", "boasts"}, got
    assert one("Lee boasted that the fares would fall.").speaker == "Lee"
    assert one("“We will win,” Lee added.").speaker == "Lee"
    # "These issues" are no one "they" stands for; "These farmers" are
    text = "These issues came up in May.\n\nThey say the vote was rigged."
    assert attributions(text)[1].speaker is None
    text = "These farmers came in May.\n\nThey say the vote was rigged."
    assert attributions(text)[1].speaker == "These farmers"


def test_a_plural_title_is_no_name() -> None:
    got = one("Sens. Ann Lee (Ore.) and Tom Hart (Fla.) debated tax credits, shaking up what is called a “debate.”")
    assert got.speaker != "Sens"


def test_an_organisation_named_by_whose_it_is_speaks_and_is_whom_they_stand_for() -> None:
    text = ("Ada Quill, the actress, died on Monday. Quill's animal foundation said she had been in good health. "
            "Quill, they said, wanted no memorials.")
    assert [a.speaker for a in attributions(text)] == [None, "Quill's animal foundation", "Quill's animal foundation"]


def test_a_participle_after_a_possessive_or_all_describes_a_noun_and_is_no_cue() -> None:
    got = one("Nearly 60 percent of Ms. Lee's reported contributions have come from women, according to Quillpac.")
    assert (got.speaker, got.kind) == ("Quillpac", "according_to")
    for sentence in ("Hart's repeated accusations could galvanize the crowd.",
                     "Lee highlighted Hart's proposed tax cuts.",
                     "Forty percent of all reported gifts came from women."):
        assert one(sentence).cue not in {"repeated", "proposed", "reported"}
    # "he's predicted" and "who's argued" are "has", not a possessive
    got = attributions("Ann Lee spoke on Monday. And she’s predicted big wins in the races ahead.")[1]
    assert (got.speaker, got.cue) == ("Ann Lee", "predicted")
