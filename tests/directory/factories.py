"""Small factories for the directory tests."""

from directory.models import Acceptance, MedicalCareProcedure, Provider, ProviderCategory, ProviderProcedure


def make_provider(name: str = "テスト訪問看護ステーション", **fields) -> Provider:
    """A provider saved through save() (so search_text is filled), by default a visiting-nurse station."""
    category = fields.pop("category", None) or ProviderCategory.objects.get(
        code=fields.pop("category_code", "visiting-nurse")
    )
    acceptances = fields.pop("acceptances", {})
    provider = Provider.objects.create(name=name, category=category, **fields)
    set_matrix(provider, acceptances)
    return provider


def set_matrix(provider: Provider, acceptances: dict[str, str | tuple[str, str]]) -> None:
    """{"ventilator": Acceptance.ACCEPTED, "suction": (Acceptance.CONDITIONAL, "看護師在籍日のみ")}."""
    for code, answer in acceptances.items():
        status, note = answer if isinstance(answer, tuple) else (answer, "")
        ProviderProcedure.objects.update_or_create(
            provider=provider,
            procedure=MedicalCareProcedure.objects.get(code=code),
            defaults={"status": status, "note": note},
        )


ACCEPTED, CONDITIONAL, REFUSED, UNKNOWN = (
    Acceptance.ACCEPTED,
    Acceptance.CONDITIONAL,
    Acceptance.REFUSED,
    Acceptance.UNKNOWN,
)
