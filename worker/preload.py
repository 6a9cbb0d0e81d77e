"""The stages' models loaded in a worker's main process before its pool forks (worker/app.py calls
``preload`` on Celery's ``worker_init``). Not in worker/app.py itself, which the read-only web
window imports and which must not reach the stages."""

from __future__ import annotations

import gc
import logging

from worker.settings import Settings

# What the main process runs through every stage before its pool forks: enough text for each
# stage to load what it loads on its first article (the NER model and lexicons, the gazetteers,
# the role and place models, the event word lists). The language identifier, which only the rare
# text in another language of the Arabic script reaches, is loaded on its own.
WARM_UP_TITLE = "خادم الحرمين يستقبل وزير الخارجية الأمريكي"
WARM_UP_TEXT = (
    "الرياض - واس: استقبل خادم الحرمين الشريفين الملك عبدالله بن عبدالعزيز آل سعود في قصره بالرياض "
    "أمس وزير الخارجية الأمريكي جون كيري، وبحث معه العلاقات الثنائية. وقال المتحدث الأمني لوزارة "
    "الداخلية اللواء منصور التركي إن قوات الأمن اعتقلت ثلاثة مطلوبين بعد هجوم على نقطة تفتيش في "
    "محافظة القطيف يوم الأحد ٥ مايو ٢٠١٣. وفاز الهلال على النصر بهدفين في الدوري."
)


def preload(s: Settings) -> bool:
    """Run the stages once in this process, so that the processes it forks share their models
    (copy on write), then move everything alive out of the cyclic collector's reach (``gc.freeze``):
    a pool process neither loads the models again nor scans them in its collections. False when
    nothing was loaded (turned off, another NER backend, or an error: each pool process then loads
    its own on its first article, as without this)."""
    if not s.worker_preload or s.ner_backend != "shipped":
        # camel's torch model: its thread pools do not survive a fork, so each child loads it.
        return False
    from worker.stages.document import Document
    from worker.stages.pipeline import ORDER, STAGES
    from worker.stages.text import language

    try:
        doc = Document(id="warm-up", title=WARM_UP_TITLE, text=WARM_UP_TEXT)
        config = s.stage_config()
        for name in ORDER:
            doc = STAGES[name](doc, config)
        language.load()
    except Exception:  # noqa: BLE001 - a faster start is not worth a worker that does not start
        logging.getLogger("khabar").exception("models not preloaded: each pool process loads its own")
        return False
    gc.collect()
    gc.freeze()
    return True
