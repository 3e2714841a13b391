"""Task facts for reading result files, answered from the catalog in O(1).

:class:`CatalogTaskLookup` implements :class:`emboard.results.parsed.TaskLookup` the way mteb's
``TaskResult.from_disk`` looks tasks up when it converts old files:

* the four ``Scala*Classification`` tasks removed from MTEB are answered from mteb's dummy tasks
  (main score ``accuracy``, type ``Classification``), by exact name only;
* otherwise the old names mteb renames (``PPC`` → ``PpcPC`` …) are mapped first, then the name is
  looked up exactly and, failing that, case-insensitively (``DiaBLaBitextMining``).

Every fact method (``main_score``, ``task_type``, ``languages``) accepts any name
:meth:`~CatalogTaskLookup.resolve` accepts. The catalog has no task aliases, so none are applied.
"""

from __future__ import annotations

from dataclasses import dataclass

from emboard.tasks.catalog import Catalog
from emboard.tasks.metadata import TaskMetadata

RENAMED_TASKS: dict[str, str] = {
    "NorwegianParliament": "NorwegianParliamentClassification",
    "CMedQAv2": "CMedQAv2-reranking",
    "CMedQAv1": "CMedQAv1-reranking",
    "8TagsClustering": "EightTagsClustering",
    "PPC": "PpcPC",
}
"""Old task names mteb maps to current ones when it loads pre-1.11 result files."""


@dataclass(frozen=True, slots=True)
class TaskFacts:
    """What reading a result file needs to know about one task."""

    name: str
    main_score: str
    task_type: str
    subset_languages: dict[str, tuple[str, ...]]
    all_languages: tuple[str, ...]

    def languages(self, subset: str) -> tuple[str, ...]:
        """The subset's languages; for a subset the task does not list, all of its languages."""
        return self.subset_languages.get(subset, self.all_languages)


def _facts_of(task: TaskMetadata) -> TaskFacts:
    # mteb: TaskMetadata.hf_subsets_to_langscripts (a list of languages means subset "default")
    langs = task.eval_langs if isinstance(task.eval_langs, dict) else {"default": task.eval_langs}
    subset_languages = {subset: tuple(codes) for subset, codes in langs.items()}
    all_languages = tuple(dict.fromkeys(c for codes in langs.values() for c in codes))
    return TaskFacts(task.name, task.main_score, task.type, subset_languages, all_languages)


def _dummy(name: str, language: str) -> TaskFacts:
    return TaskFacts(name, "accuracy", "Classification", {"default": (language,)}, (language,))


OUTDATED_TASKS: dict[str, TaskFacts] = {
    "ScalaNbClassification": _dummy("ScalaNbClassification", "nob-Latn"),
    "ScalaNnClassification": _dummy("ScalaNnClassification", "nob-Latn"),
    "ScalaDaClassification": _dummy("ScalaDaClassification", "dan-Latn"),
    "ScalaSvClassification": _dummy("ScalaSvClassification", "swe-Latn"),
}
"""Tasks removed from MTEB whose old results mteb still loads, as its dummy tasks define them."""


class CatalogTaskLookup:
    """The :class:`~emboard.results.parsed.TaskLookup` over a :class:`Catalog`."""

    def __init__(self, catalog: Catalog) -> None:
        self._facts: dict[str, TaskFacts] = {n: _facts_of(t) for n, t in catalog.tasks.items()}
        self._lower: dict[str, TaskFacts] = {n.lower(): f for n, f in self._facts.items()}
        self._resolved: dict[str, TaskFacts | None] = {}

    def facts(self, name: str) -> TaskFacts | None:
        """Everything known about the task ``name`` resolves to, or None if it is unknown."""
        try:
            return self._resolved[name]
        except KeyError:
            pass
        found = OUTDATED_TASKS.get(name)
        if found is None:
            renamed = RENAMED_TASKS.get(name, name)
            found = self._facts.get(renamed) or self._lower.get(renamed.lower())
        self._resolved[name] = found
        return found

    def resolve(self, name: str) -> str | None:
        """The registry's name for ``name`` (renames and case applied), or None if unknown."""
        facts = self.facts(name)
        return None if facts is None else facts.name

    def main_score(self, name: str) -> str | None:
        """The task's current main-score key, or None if the task is unknown."""
        facts = self.facts(name)
        return None if facts is None else facts.main_score

    def task_type(self, name: str) -> str | None:
        """The task's type (``STS``, ``PairClassification``, …), or None if unknown."""
        facts = self.facts(name)
        return None if facts is None else facts.task_type

    def languages(self, name: str, subset: str) -> tuple[str, ...]:
        """The subset's languages as mteb fills them in old files (empty for an unknown task).

        A subset the task does not list gets all the task's languages, in order, as mteb's
        ``TaskResult.from_task_results`` does for aggregated ``default`` subsets.
        """
        facts = self.facts(name)
        return () if facts is None else facts.languages(subset)
