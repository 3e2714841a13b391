"""Task, benchmark and model metadata as MTEB defines them (the catalog's records)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from emboard.types import JSONValue, PromptType

DEPRECATED_SUMMARIZATION_TASKS = frozenset({"SummEval", "SummEvalFr"})
"""Tasks MTEB still scores with its deprecated summarization evaluator (mteb issue #1156)."""


class DatasetRef(BaseModel):
    """A Hugging Face dataset id pinned to a revision (extra keys: load_dataset arguments)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    path: str
    revision: str


class TaskMetadata(BaseModel):
    """One MTEB task: what to load, how to score it and which score is the main one."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    name: str
    type: str
    dataset: DatasetRef
    main_score: str
    eval_splits: list[str]
    eval_langs: list[str] | dict[str, list[str]]
    hf_subsets: list[str] = Field(default_factory=lambda: ["default"])
    evaluation_params: dict[str, JSONValue] = Field(default_factory=dict)
    abstask: list[str] = Field(default_factory=list)
    class_name: str | None = Field(default=None, alias="class")
    description: str = ""
    prompt: str | dict[str, str] | None = None
    modalities: list[str] = Field(default_factory=lambda: ["text"])
    category: str | None = None
    reference: str | None = None
    date: list[str] | None = None
    domains: list[str] | None = None
    task_subtypes: list[str] | None = None
    license: str | None = None
    annotations_creators: str | None = None
    dialect: list[str] | None = None
    sample_creation: str | None = None
    bibtex_citation: str | None = None
    adapted_from: list[str] | None = None
    is_public: bool = True
    contributed_by: str | None = None
    superseded_by: str | None = None
    is_beta: bool = False
    aggregated_tasks: list[str] | None = None

    def languages(self, subset: str) -> list[str]:
        """The ``iso639-3-Script`` codes of one subset, as MTEB writes them in results."""
        if isinstance(self.eval_langs, dict):
            return list(self.eval_langs.get(subset, []))
        return list(self.eval_langs)

    @property
    def all_languages(self) -> list[str]:
        """Every language of the task (all subsets), without duplicates, in order."""
        langs = (
            [lang for langs in self.eval_langs.values() for lang in langs]
            if isinstance(self.eval_langs, dict)
            else self.eval_langs
        )
        return list(dict.fromkeys(langs))

    @property
    def is_aggregate(self) -> bool:
        """True for tasks that only combine other tasks' scores (CQADupstackRetrieval)."""
        return "AbsTaskAggregate" in self.abstask

    @property
    def variant(self) -> str:
        """The evaluation protocol: the task type, refined where MTEB has several."""
        if self.type == "Clustering" and "AbsTaskClusteringLegacy" in self.abstask:
            return "ClusteringLegacy"
        if self.type == "Summarization" and self.name in DEPRECATED_SUMMARIZATION_TASKS:
            return "SummarizationDeprecated"
        if "AbsTaskMultilabelClassification" in self.abstask:
            return "MultilabelClassification"
        return self.type

    def task_prompt(self, prompt_type: PromptType | None) -> str | None:
        """The task's own instruction (``TaskMetadata.prompt``) for a prompt type."""
        if isinstance(self.prompt, dict):
            return self.prompt.get(prompt_type.value) if prompt_type else None
        return self.prompt


class BenchmarkTask(BaseModel):
    """A task as a benchmark uses it: possibly restricted to some splits and subsets."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    eval_splits: list[str]
    hf_subsets: list[str]


class BenchmarkMetadata(BaseModel):
    """A named list of tasks with its aggregation rules."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    name: str
    tasks: list[BenchmarkTask]
    aliases: list[str] = Field(default_factory=list)
    display_name: str | None = None
    description: str | None = None
    reference: str | None = None
    citation: str | None = None
    language_view: list[str] | str = Field(default_factory=list)
    superseded_by: str | list[str] | None = None
    aggregations: list[str] = Field(default_factory=list)
    show_zero_shot: bool = True
    class_name: str | None = Field(default=None, alias="class")


class ModelMeta(BaseModel):
    """What is known about a model; written as ``model_meta.json`` beside its results."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    name: str
    revision: str | None = None
    release_date: str | None = None
    languages: list[str] | None = None
    n_parameters: int | None = None
    n_active_parameters_override: int | None = None
    n_embedding_parameters: int | None = None
    memory_usage_mb: float | None = None
    max_tokens: float | None = None
    embed_dim: int | list[int] | None = None
    license: str | None = None
    open_weights: bool | None = None
    public_training_code: str | None = None
    public_training_data: str | bool | None = None
    framework: list[str] = Field(default_factory=list)
    reference: str | None = None
    similarity_fn_name: str | None = None
    use_instructions: bool | None = None
    training_datasets: list[str] | dict[str, Any] | None = None
    adapted_from: str | None = None
    superseded_by: str | None = None
    modalities: list[str] = Field(default_factory=lambda: ["text"])
    model_type: list[str] = Field(default_factory=lambda: ["dense"])
    citation: str | None = None
    contacts: list[str] | str | None = None
    experiment_kwargs: dict[str, Any] | None = None
    output_dtypes: list[str] | str | None = None
    extra_requirements_groups: list[str] | None = None
