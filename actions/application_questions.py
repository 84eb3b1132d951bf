"""The questions of the pre-application form, one action per field (``action_ask_application_form_<field>``).

The question texts come from :mod:`bot.forms.prompts`; the summary, the form's last question, is
asked by :class:`actions.drafts.AskSummaryForApplication`.
"""
from __future__ import annotations

from actions.forms import AskField


class AskApplicationQuestion(AskField):
    form = "application_form"


class AskConsentForApplication(AskApplicationQuestion):
    slot = "consent"


class AskOrgNameForApplication(AskApplicationQuestion):
    slot = "org_name"


class AskStructureForApplication(AskApplicationQuestion):
    slot = "structure"


class AskSiretForApplication(AskApplicationQuestion):
    slot = "siret"


class AskCommuneForApplication(AskApplicationQuestion):
    slot = "commune"


class AskContactNameForApplication(AskApplicationQuestion):
    slot = "contact_name"


class AskEmailForApplication(AskApplicationQuestion):
    slot = "email"


class AskPhoneForApplication(AskApplicationQuestion):
    slot = "phone"


class AskProjectTitleForApplication(AskApplicationQuestion):
    slot = "project_title"


class AskProjectDescriptionForApplication(AskApplicationQuestion):
    slot = "project_description"


class AskBeneficiariesForApplication(AskApplicationQuestion):
    slot = "beneficiaries"


class AskJobsForApplication(AskApplicationQuestion):
    slot = "jobs"


class AskStartDateForApplication(AskApplicationQuestion):
    slot = "start_date"


class AskStageForApplication(AskApplicationQuestion):
    slot = "stage"


class AskAmountForApplication(AskApplicationQuestion):
    slot = "amount"


class AskTotalBudgetForApplication(AskApplicationQuestion):
    slot = "total_budget"


class AskOtherDepartmentAidForApplication(AskApplicationQuestion):
    slot = "other_department_aid"
