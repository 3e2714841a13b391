"""BelebeleRetrieval: mteb builds a retrieval task from Belebele's reading-comprehension rows.

Subset ``xxx_Xxxx-yyy_Yyyy`` (languages ``[corpus, questions]``) reads the ``test`` rows of the
two language configs: every distinct ``link`` of the corpus language is a document ``C{i}``
(``flores_passage``, no title), every distinct ``question`` of the question language a query
``Q{i}`` (first-appearance order), judged relevant (1) to the passage of its ``link``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from emboard.data.records import RetrievalData
from emboard.data.tables import str_list
from emboard.errors import DataError

if TYPE_CHECKING:
    from emboard.data.source import DataSource
    from emboard.tasks.metadata import TaskMetadata

TASKS = frozenset({"BelebeleRetrieval"})


def build_belebele(
    source: DataSource, task: TaskMetadata, subset: str, split: str
) -> RetrievalData:
    """Corpus, queries and qrels of one language pair, as mteb's ``load_data`` makes them."""
    where = f"{task.name} [{subset}/{split}]"
    languages = task.languages(subset)
    if len(languages) != 2:
        raise DataError(f"{where}: expected two languages, got {languages}")
    corpus_lang, question_lang = (lang.replace("-", "_") for lang in languages)
    corpus = source.read(task, corpus_lang, "rows", split)
    questions = source.read(task, question_lang, "rows", split)
    doc_of_link: dict[str, str] = {}
    corpus_ids: list[str] = []
    corpus_texts: list[str] = []
    links = str_list(corpus, "link", f"{where} {corpus_lang}")
    passages = str_list(corpus, "flores_passage", f"{where} {corpus_lang}")
    for link, passage in zip(links, passages, strict=True):
        if link not in doc_of_link:
            doc_of_link[link] = f"C{len(doc_of_link)}"
            corpus_ids.append(doc_of_link[link])
            corpus_texts.append(passage.strip())
    query_of_text: dict[str, str] = {}
    qrels: dict[str, dict[str, int]] = {}
    q_where = f"{where} {question_lang}"
    q_links = str_list(questions, "link", q_where)
    for question, link in zip(str_list(questions, "question", q_where), q_links, strict=True):
        qid = query_of_text.setdefault(question, f"Q{len(query_of_text)}")
        if link not in doc_of_link:
            raise DataError(f"{q_where}: link {link!r} has no passage in {corpus_lang}")
        qrels.setdefault(qid, {})[doc_of_link[link]] = 1
    return RetrievalData(
        corpus_ids=corpus_ids,
        corpus_texts=corpus_texts,
        query_ids=list(query_of_text.values()),
        query_texts=list(query_of_text),
        qrels=qrels,
    )
