"""The log redaction's shortcut: a value the cheap search passes over is one that the three
substitutions would have left unchanged, so skipping them can never let a secret through."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from adapters.observability.logs import _substitute, redact_text

# Fragments that the substitutions react to, in any letter case, among text that is not.
WORDS = ["token", "secret", "password", "passphrase", "pass_phrase", "bearer", "basic"]
cased_words = st.sampled_from(WORDS).flatmap(
    lambda w: st.lists(st.booleans(), min_size=len(w), max_size=len(w)).map(
        lambda upper: "".join(c.upper() if u else c for c, u in zip(w, upper, strict=True))
    )
)
# "pg_token=…", "SECRET_KEY …", "Basic …": a word inside a name, a separator, a value.
secretish = st.tuples(
    st.text(alphabet="a_-", max_size=3),
    cased_words,
    st.text(alphabet="a_-", max_size=3),
    st.sampled_from(["=", " ", ""]),
    st.text(alphabet="aZ09._~+/=&'", min_size=1, max_size=6),
).map("".join)
# "Authorization: Bearer …"
schemes = st.tuples(
    st.sampled_from(["", " ", ":", "-", "a"]),
    cased_words,
    st.sampled_from([" ", "\t", "  ", ""]),
    st.text(alphabet="aZ09._~+/=-", min_size=1, max_size=6),
).map("".join)
digit_runs = st.text(alphabet="0123456789\u0663", min_size=8, max_size=14)  # Arabic 3 too
noise = st.one_of(
    st.sampled_from([" ", "&", "?", ".", ":", "'", '"', "\n", "SECRET_KEY"]),
    st.sampled_from(["\u017f", "\u212a"]),  # long s and Kelvin: s and k to re.I
    st.text(max_size=8),
)
around = st.lists(st.one_of(secretish, schemes, digit_runs, noise), max_size=4).map("".join)
texts = st.tuples(around, st.one_of(secretish, schemes, digit_runs), around).map("".join)


@settings(max_examples=300)
@given(texts)
@example("paid from account 1234567890123")
@example("Authorization: SECRET_KEY DEVKEY99")
@example("Basic dXNlcjpwYXNz")
@example("/done?pg_token=PGTOKEN123secret")
@example("order placed")
def test_the_shortcut_never_changes_what_is_redacted(text: str) -> None:
    assert redact_text(text) == _substitute(text)
