"""Our EIDO subset schema and the category map: valid, faithful to EIDO's names, complete."""

from __future__ import annotations

import copy
import csv

import pytest
from jsonschema import Draft202012Validator

from dashboard import eido, labels
from dashboard.config import DATA_DIR
from dashboard.errors import ApiRefused

AGENCY = "psap.kabbatang.example"


def minimal_document() -> dict:
    """The least an EIDO may be: the prologue, its version, its issuer, one agency."""
    return {
        "$id": "urn:emergency:uid:incidentid:B-1:psap.kabbatang.example",
        "lastUpdateTimeStamp": "2026-03-10T09:58:00+07:00",
        "updatedByAgencyReference": {"$ref": AGENCY},
        "eidoVersion": "1.0",
        "issuingElementIdentification": "cad.kabbatang.example",
        "agencyComponent": [
            {
                "$id": AGENCY,
                "lastUpdateTimeStamp": "2026-03-10T09:58:00Z",
                "updatedByAgencyReference": {"$ref": AGENCY},
                "agencyRoleDescriptionRegistryText": ["CallReceiving"],
                "agencyType": ["psap"],
            }
        ],
    }


def refusal(document: dict) -> ApiRefused:
    with pytest.raises(ApiRefused) as caught:
        eido.check_schema(document)
    return caught.value


def test_our_schema_is_valid_json_schema_2020_12():
    schema = eido.schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_every_bound_in_our_schema_is_a_number_not_a_string():
    # NENA's published schema writes some bounds as strings ("minItems": "1"), on which the
    # jsonschema library raises TypeError instead of judging the document.
    bounds = {"minItems", "maxItems", "minLength", "maxLength", "minimum", "maximum"}
    found = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in bounds:
                    found.append(value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(eido.schema())
    assert found and all(type(value) is int for value in found)


def test_a_hand_made_minimal_document_validates():
    eido.check_schema(minimal_document())


@pytest.mark.parametrize(
    ("path", "part"),
    [
        (("$id",), "$id"),
        (("lastUpdateTimeStamp",), "lastUpdateTimeStamp"),
        (("updatedByAgencyReference",), "updatedByAgencyReference"),
        (("eidoVersion",), "eidoVersion"),
        (("issuingElementIdentification",), "issuingElementIdentification"),
        (("agencyComponent",), "agencyComponent"),
        (("agencyComponent", 0, "$id"), "agencyComponent[0].$id"),
        (("agencyComponent", 0, "agencyType"), "agencyComponent[0].agencyType"),
        (
            ("agencyComponent", 0, "agencyRoleDescriptionRegistryText"),
            "agencyComponent[0].agencyRoleDescriptionRegistryText",
        ),
        (("updatedByAgencyReference", "$ref"), "updatedByAgencyReference.$ref"),
    ],
)
def test_a_document_missing_a_required_part_is_refused_naming_it(path, part):
    document = minimal_document()
    holder = document
    for step in path[:-1]:
        holder = holder[step]
    del holder[path[-1]]
    error = refusal(document)
    assert str(error) == labels.ERR_EIDO_MISSING.format(part=part)
    assert error.field == part and error.status == 422


def test_wrong_types_bad_times_and_unknown_versions_are_refused_in_words():
    cases = [
        ({"agencyComponent": {"$id": AGENCY}}, "agencyComponent", "harus berupa daftar"),
        ({"lastUpdateTimeStamp": "2026-03-10 09:58"}, "lastUpdateTimeStamp", "RFC 3339"),
        ({"lastUpdateTimeStamp": "2026-03-10T09:58:00"}, "lastUpdateTimeStamp", "zona waktu"),
        ({"eidoVersion": "2.0"}, "eidoVersion", "nilai tidak dikenal: 2.0"),
        ({"$id": "x" * 201}, "$id", "maksimal 200 karakter"),
        ({"agencyComponent": []}, "agencyComponent", "paling sedikit 1 unsur"),
    ]
    for change, part, words in cases:
        error = refusal(minimal_document() | change)
        assert error.field == part, change
        assert str(error).startswith(f"Dokumen EIDO tidak sah di {part}: "), str(error)
        assert words in str(error), str(error)


def test_an_extension_member_we_do_not_know_is_refused_by_name():
    document = minimal_document()
    document["incidentComponent"] = {
        **copy.deepcopy(document["agencyComponent"][0]),
        "$id": "inc-1",
        "incidentTypeCommonRegistryText": "FSTRU",
        "siaga112Incident": {
            "status": "BARU",
            "opdCode": None,
            "firstOpdCode": None,
            "reassignCount": 0,
            "priority": 1,
        },
    }
    error = refusal(document)
    assert error.field == "incidentComponent.siaga112Incident"
    assert "anggota yang tidak dikenal: priority" in str(error)


def test_every_category_has_an_export_code_and_every_row_names_a_real_category():
    with (DATA_DIR / "categories.csv").open(encoding="utf-8") as handle:
        categories = {row["code"] for row in csv.DictReader(handle)}
    mapping = eido.load_category_map()
    assert set(mapping.to_code) == categories
    assert set(mapping.to_category.values()) <= categories
    assert mapping.fallback == "INFORMASI"
    # Read back, the flood code is a flood, a structure fire a fire, an unmapped code nothing.
    assert mapping.category_for("water") == "BANJIR"
    assert mapping.category_for(" FSTRU ") == "KEBAKARAN"
    assert mapping.category_for("MAYDAY") is None


def test_the_times_export_writes_pass_the_schema():
    # WIB offset, microseconds only when the stored time has them (datetime.isoformat).
    for stamp in ("2026-03-10T09:58:00+07:00", "2026-03-10T09:58:00.123456+07:00"):
        eido.check_schema(minimal_document() | {"lastUpdateTimeStamp": stamp})
