"""The FHIR front door (Da Vinci PAS) on the console's server, for an EHR: a request Bundle in,
a ClaimResponse out, with the same bearer tokens as the JSON API.

``$submit`` reads and maps the Bundle (every problem at once, as an OperationOutcome: 400 when
it is no PAS request, 422 when the portal could not take it; nothing queued then), queues the
request under its Claim's identifier (a Claim sent twice is one request), and waits up to
``PA_BOT_FHIR_SYNC_S`` for the resident worker's outcome, reading the queue every
``FHIR_POLL_S``; a slower portal gets A4, and the EHR asks again with ``$inquire``.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from bot import documentation
from bot.console.api import Caller
from bot.console.web import console_of
from bot.pas_bundle import NotPasRequest, PasBundle, Problem, read_bundle
from bot.pas_request import claim_key, map_claim
from bot.pas_response import operation_outcome, response_bundle
from bot.queue import FINAL_STATES, Item
from bot.queued import payload, priority_of

FHIR_JSON = "application/fhir+json"
FHIR_POLL_S = 0.5
"""How often ``$submit`` reads the queue while it waits for the request's outcome."""


def _fhir(body: dict[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status, media_type=FHIR_JSON)


def _refusal(problems: list[Problem], status: int) -> JSONResponse:
    return _fhir(operation_outcome(problems), status)


def fhir_routes(app: FastAPI) -> None:
    @app.get("/fhir/metadata")
    async def metadata(request: Request) -> JSONResponse:
        return _fhir(capability_statement(str(request.base_url).rstrip("/")))

    @app.post("/fhir/Claim/$submit")
    async def submit(request: Request, caller: Caller) -> JSONResponse:
        console = console_of(request)
        read = await _read(request)
        if isinstance(read, JSONResponse):
            return read
        mapped = map_claim(read, console.settings)
        if mapped.request is None:
            status = (
                400 if any(p.code in ("structure", "not-found") for p in mapped.errors) else 422
            )
            return _refusal(mapped.problems, status)
        made = mapped.request
        done = console.queue.enqueue(
            made.key, payload(made), f"fhir:{caller.name}", priority=priority_of(made)
        )
        console.queue.audit(
            caller.name, "queued" if done.created else "queued_again", done.item.id, "fhir"
        )
        item = await _outcome(request, done.item, console.settings.fhir_sync_s)
        gaps = [
            Problem("Claim.supportingInfo", gap, "warning", "value")
            for gap in documentation.warnings(made)
        ]
        return _fhir(response_bundle(read, item, [*mapped.problems, *gaps]))

    @app.post("/fhir/Claim/$inquire")
    async def inquire(request: Request, caller: Caller) -> JSONResponse:
        console = console_of(request)
        read = await _read(request)
        if isinstance(read, JSONResponse):
            return read
        key = claim_key(read)
        item = console.queue.get_by_key(key) if key else None
        if item is None:
            problem = Problem(
                "Claim.identifier",
                "no request was submitted with this Claim identifier",
                code="not-found",
            )
            return _refusal([*read.problems, problem] if key is None else [problem], 404)
        console.queue.audit(caller.name, "viewed", item.id, "fhir inquire")
        return _fhir(response_bundle(read, item, []))


async def _read(request: Request) -> PasBundle | JSONResponse:
    """The request Bundle of the body, or the 400 that says why it is none."""
    try:
        return read_bundle(await request.body())
    except NotPasRequest as exc:
        return _refusal(exc.problems, 400)


async def _outcome(request: Request, item: Item, within_s: float) -> Item:
    """The item once it is final and no worker holds it, or as it is after ``within_s``."""
    queue = console_of(request).queue
    ends = time.monotonic() + within_s
    while item.state not in FINAL_STATES or item.lease_owner is not None:
        if time.monotonic() >= ends or await request.is_disconnected():
            break
        await asyncio.sleep(FHIR_POLL_S)
        item = queue.get(item.id)
    return item


def capability_statement(base: str) -> dict[str, Any]:
    from fhir.resources.R4B.capabilitystatement import CapabilityStatement

    statement = CapabilityStatement.model_validate(
        {
            "resourceType": "CapabilityStatement",
            "status": "active",
            "date": "2026-12-07",
            "kind": "instance",
            "software": {"name": "pa-bot"},
            "implementation": {
                "description": "pa-bot: Da Vinci PAS in front of a payer's portal",
                "url": f"{base}/fhir",
            },
            "fhirVersion": "4.0.1",
            "format": ["application/fhir+json"],
            "implementationGuide": [
                "http://hl7.org/fhir/us/davinci-pas/ImplementationGuide/hl7.fhir.us.davinci-pas"
            ],
            "rest": [
                {
                    "mode": "server",
                    "security": {
                        "description": "Authorization: Bearer <token> of a pa-bot system "
                        "account (pa-bot users token NAME)"
                    },
                    "resource": [
                        {
                            "type": "Claim",
                            "supportedProfile": [
                                "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/profile-claim"
                            ],
                            "operation": [
                                {
                                    "name": "submit",
                                    "definition": "http://hl7.org/fhir/us/davinci-pas/OperationDefinition/Claim-submit",
                                },
                                {
                                    "name": "inquire",
                                    "definition": "http://hl7.org/fhir/us/davinci-pas/OperationDefinition/Claim-inquiry",
                                },
                            ],
                        }
                    ],
                }
            ],
        }
    )
    found: dict[str, Any] = statement.model_dump(mode="json", exclude_none=True)
    return found
