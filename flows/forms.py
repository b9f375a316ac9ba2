"""Configuration forms, one per connector and role, and the form for naming the endpoint."""

import string

from django import forms

from credentials.connectors import DESTINATION, OPENROUTER, SOURCE


class EndpointForm(forms.Form):
    """The name every data source and destination has; subclasses add the connector's settings."""

    name = forms.CharField(
        label="Name",
        max_length=255,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
        error_messages={"required": "Enter a name."},
    )

    def config(self) -> dict:
        """Return the connector settings to store, everything but the name."""
        return {key: value for key, value in self.cleaned_data.items() if key != "name"}

    @classmethod
    def describe(cls, config: dict) -> list[tuple[str, object]]:
        """Return stored settings as (label, value) pairs, with choices shown by their labels."""
        described = []
        for name, field in cls.base_fields.items():
            if name == "name" or name not in config:
                continue
            value = config[name]
            choices = dict(getattr(field, "choices", None) or [])
            described.append((field.label, choices.get(value, value)))
        return described


class OpenRouterSourceForm(EndpointForm):
    resource = forms.ChoiceField(
        label="Data to read",
        choices=[
            ("models", "Models catalogue (GET /models)"),
            ("key_usage", "Usage and limits of this key (GET /key)"),
        ],
        initial="models",
        widget=forms.RadioSelect,
    )


class OpenRouterDestinationForm(EndpointForm):
    model = forms.CharField(
        label="Model",
        max_length=200,
        initial="openai/gpt-4o-mini",
        help_text="An OpenRouter model id, such as openai/gpt-4o-mini.",
        error_messages={"required": "Enter a model id."},
    )
    prompt_template = forms.CharField(
        label="Prompt template",
        max_length=8000,
        initial="Summarise this record in one sentence: {record}",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Each record is sent with {field} replaced by the record's field; {record} is the whole record as JSON.",
        error_messages={"required": "Enter a prompt template."},
    )
    max_tokens = forms.IntegerField(
        label="Max tokens",
        min_value=1,
        max_value=100_000,
        initial=256,
        help_text="The most tokens a reply may use, 1 to 100,000.",
        error_messages={
            "required": "Enter the maximum number of tokens.",
            "invalid": "Enter a whole number of tokens.",
            "min_value": "Max tokens must be at least 1.",
            "max_value": "Max tokens can be at most 100,000.",
        },
    )

    def clean_model(self) -> str:
        model = self.cleaned_data["model"].strip()
        if any(character.isspace() for character in model) or "/" not in model:
            raise forms.ValidationError("A model id looks like provider/model, for example openai/gpt-4o-mini.")
        return model

    def clean_prompt_template(self) -> str:
        template = self.cleaned_data["prompt_template"]
        try:
            fields = [field for _, field, _, _ in string.Formatter().parse(template) if field is not None]
        except ValueError as error:
            raise forms.ValidationError(
                f"The template has an unmatched brace ({error}). Write {{{{ and }}}} for literal braces."
            ) from None
        for field in fields:
            if not field.isidentifier():
                raise forms.ValidationError(
                    f"“{{{field}}}” is not a field placeholder. Use names such as {{title}}, or {{{{ and }}}} for braces."
                )
        return template


CONFIG_FORMS = {
    (OPENROUTER.slug, SOURCE): OpenRouterSourceForm,
    (OPENROUTER.slug, DESTINATION): OpenRouterDestinationForm,
}
