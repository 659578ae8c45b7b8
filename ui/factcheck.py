"""The fact-check tab: one claim a line in, a table of verdicts with the report's sentence and figures out."""

from __future__ import annotations

from time import monotonic

import gradio as gr

from ui.chat import failure_message
from ui.holder import EngineHolder
from ui.i18n import Translator, t
from ui.limits import CallTimeout, call_with_limit
from ui.render import render_verdicts

MAX_CLAIMS = 20
EXAMPLE_CLAIMS = ("2023年商丘生产总值增长目标是8%。\n计划建成人才公寓2000套。\n商丘将建设一座国际机场。",)


def check_claims(holder: EngineHolder, text: str, lang: str) -> str:
    """Verdicts for each non-empty line (at most MAX_CLAIMS), as an escaped HTML table."""
    if not isinstance(text, str):
        text = ""
    limit = holder.settings.max_question_chars
    if len(text) > 4 * limit * MAX_CLAIMS:  # refuse a flood before splitting it into lines
        return render_verdicts(
            [f"{len(text)} > {4 * limit * MAX_CLAIMS}: {t('claims_too_long', lang, n=MAX_CLAIMS)}"], lang
        )
    claims = [line.strip() for line in text.splitlines() if line.strip()]
    if not claims:
        return render_verdicts([t("claims_hint", lang)], lang)
    results: list = []
    engine, deadline = holder.engine, monotonic() + holder.settings.event_timeout_s
    for claim in claims[:MAX_CLAIMS]:
        try:
            left = deadline - monotonic()
            if left <= 0:
                raise CallTimeout("no time left for this claim")
            results.append(call_with_limit(lambda c=claim: engine.check(c), left))
        except Exception as exc:  # one bad claim is a row with a message; the others are still checked
            results.append(f"{claim[:80]}: {failure_message(exc, lang)}")
    if len(claims) > MAX_CLAIMS:
        results.append(f"+{len(claims) - MAX_CLAIMS}: max {MAX_CLAIMS} / 每次最多 {MAX_CLAIMS} 条")
    return render_verdicts(results, lang)


def build_factcheck_tab(holder: EngineHolder, tr: Translator, lang: gr.State) -> dict:
    """Lay out the fact-check tab and wire its events."""
    claims = tr.add(
        gr.Textbox(
            label=t("claims"), placeholder=t("claims_hint"), lines=4, max_lines=20, elem_id="rq-claims"
        ),
        label="claims",
        placeholder="claims_hint",
    )
    check = tr.add(gr.Button(t("check"), variant="primary", elem_id="rq-check"), value="check")
    examples = tr.add(
        gr.Dataset(
            components=[claims],
            samples=[[c] for c in EXAMPLE_CLAIMS],
            label=t("examples"),
            elem_id="rq-claim-examples",
        ),
        label="examples",
    )
    verdicts = gr.HTML("", elem_id="rq-verdicts")
    args = {
        "fn": lambda text, lg: check_claims(holder, text, lg),
        "inputs": [claims, lang],
        "outputs": verdicts,
        "api_visibility": "private",
    }
    check.click(**args)
    examples.click(lambda sample: sample[0], examples, claims, api_visibility="private").then(**args)

    def check_api(claim: str) -> dict:
        """Check one claim against the report; returns the verdict, evidence sentence and citations."""
        engine = holder.engine
        try:
            return call_with_limit(lambda: engine.check(claim), holder.settings.event_timeout_s).to_dict()
        except Exception as exc:
            raise gr.Error(failure_message(exc, None), print_exception=False) from exc

    gr.api(check_api, api_name="check")
    return {"verdicts": verdicts}
