"""Zero-shot facts: which tasks a model was trained on, as ``ModelMeta.get_training_datasets``.

A model's training datasets are its declared ones, plus those of the model it was adapted from
(when registered), plus every task *similar* to any of them: MTEB links a task to the tasks it
was ``adapted_from`` and to the task that ``superseded_by`` names, and follows those links both
ways, transitively (so the union of connected components).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from emboard.tasks.metadata import ModelMeta, TaskMetadata


class TrainingData:
    """Training-dataset sets of registered models, over one task catalog's similarity links."""

    def __init__(self, tasks: Mapping[str, TaskMetadata], models: Mapping[str, ModelMeta]):
        self._models = models
        self._links: dict[str, set[str]] = {}
        for task in tasks.values():
            for parent in task.adapted_from or ():
                self._link(parent, task.name)
            if task.superseded_by:
                self._link(task.superseded_by, task.name)
        self._component_of: dict[str, frozenset[str]] | None = None
        self._cache: dict[str, frozenset[str] | None] = {}
        self._percentages: dict[tuple[str, frozenset[str]], int | None] = {}

    def _link(self, a: str, b: str) -> None:
        self._links.setdefault(a, set()).add(b)
        self._links.setdefault(b, set()).add(a)

    def _components(self) -> dict[str, frozenset[str]]:
        """Each linked task's connected component (itself included), computed once."""
        if self._component_of is None:
            self._component_of = {}
            for start in self._links:
                if start in self._component_of:
                    continue
                found, stack = {start}, [start]
                while stack:
                    for other in self._links[stack.pop()]:
                        if other not in found:
                            found.add(other)
                            stack.append(other)
                component = frozenset(found)
                self._component_of.update(dict.fromkeys(component, component))
        return self._component_of

    def datasets(self, model: str) -> frozenset[str] | None:
        """The model's training datasets with similar tasks; None when unknown/unregistered."""
        if model not in self._cache:
            self._cache[model] = self._compute(model, set())
        return self._cache[model]

    def _declared(self, model: str, seen: set[str]) -> set[str] | None:
        meta = self._models.get(model)
        if meta is None or meta.training_datasets is None or model in seen:
            return None
        seen.add(model)
        out = set(meta.training_datasets)
        if meta.adapted_from is not None:
            parent = self._compute(meta.adapted_from, seen)
            if parent is not None:
                out |= parent
        return out

    def _compute(self, model: str, seen: set[str]) -> frozenset[str] | None:
        declared = self._declared(model, seen)
        if declared is None:
            return None
        component_of = self._components()
        linked = {id(c): c for c in map(component_of.get, declared) if c is not None}
        return frozenset(declared.union(*linked.values()))

    def zero_shot_percentage(self, model: str, tasks: Iterable[str]) -> int | None:
        """``int(100 − 100·|trained ∩ tasks| / |tasks|)``; None when unknown or no tasks."""
        names = tasks if isinstance(tasks, frozenset) else frozenset(tasks)
        key = (model, names)
        if key not in self._percentages:
            trained = self.datasets(model)
            self._percentages[key] = (
                None
                if trained is None or not names
                else int(100 - 100 * (len(trained & names) / len(names)))
            )
        return self._percentages[key]

    def is_zero_shot_on(self, model: str, tasks: Iterable[str]) -> bool | None:
        """True when trained on none of ``tasks`` (True for no tasks); None when unknown."""
        names = set(tasks)
        if not names:
            return True
        trained = self.datasets(model)
        if trained is None:
            return None
        return not (trained & names)
