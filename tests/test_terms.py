"""Tests for index.terms: the one definition of a word, and the words a sentence matches."""

from __future__ import annotations

from index.terms import content_terms, lexical_terms, matched_words, plain_words, stem


def test_matched_words_are_the_sentence_words_sharing_a_question_term() -> None:
    sentence = "The floods destroyed the city's bridges; flooding reached Derna, where floods rose again."
    assert matched_words(sentence, "When did the flood reach Derna?") == ["floods", "flooding", "reached", "Derna"]
    assert matched_words(sentence, "Which bridges were destroyed in the city?") == ["destroyed", "city's", "bridges"]
    assert matched_words(sentence, "what is it?") == []


def test_matched_words_follow_the_stemmer_of_content_terms() -> None:
    sentence = "Officials met al-Baghdadi's envoys in 2015."
    assert set(matched_words(sentence, "Who met the envoy of Baghdadi in 2015?")) == {
        "met", "al-Baghdadi's", "envoys", "2015",
    }
    assert content_terms("envoys") == content_terms("envoy")


def test_the_plainer_cuts() -> None:
    assert lexical_terms("What did a 5 km wall do?") == {"5", "km", "wall"}
    assert plain_words("It's 3,000 km!") == frozenset({"it", "s", "3", "000", "km"})


def test_a_typographic_apostrophe_reads_as_a_typed_one() -> None:
    # articles print "D’Souza" and "O’Neill"; readers type "D'Souza"
    assert content_terms("Dinesh D’Souza met O’Neill’s aides") == content_terms("Dinesh D'Souza met O'Neill's aides")
    assert content_terms("D’Souza") == ["d'souza"]
    assert matched_words("Dinesh D’Souza was sentenced.", "What was D'Souza convicted of?") == ["D’Souza"]


def test_an_empty_word_has_an_empty_stem() -> None:
    # a candidate's span can hold an empty word (test_properties' generated documents found one): never an IndexError
    assert stem("") == ""
