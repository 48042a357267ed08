"""``yibao resident --as USER import-registrations|import-hardship|review-batch …``: bulk imports
run as a job in this process (the same job record and progress as on the page)."""

from __future__ import annotations

import os
import sys

from django.core.files import File


def configure(sub) -> None:
    for name, helptext in (("import-registrations", "批量导入参保登记（xlsx 或 UTF-8/GBK 编码的 csv）"),
                           ("import-hardship", "导入困难群体名单（民政、乡村振兴部门提供）")):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("--region", required=True, help="统筹区代码，如 140500")
        p.add_argument("--year", type=int, required=True, help="保险年度")
        if name == "import-hardship":
            p.add_argument("--source", required=True, help="名单来源：民政 或 乡村振兴")
        p.add_argument("file")
    r = sub.add_parser("review-batch", help="审核导入批次（须由导入人以外的经办人员审核）")
    r.add_argument("batch", type=int, help="批次号")
    decision = r.add_mutually_exclusive_group(required=True)
    decision.add_argument("--approve", action="store_true", help="审核通过")
    decision.add_argument("--reject", action="store_true", help="退回")
    r.add_argument("--note", default="", help="审核意见（退回时必填）")


def _print_outcome(job) -> int:
    result = job.result or {}
    print(job.message)
    for e in result.get("errors", [])[:50]:
        print(f"  第 {e['row']} 行 {e['column']}：{e['message']}")
    if job.result_file:
        print(f"错误清单：{job.result_file}")
    return 0 if job.status == "done" and result.get("ok", True) else 1


def _import(kind: str):
    def run(args, actor) -> int:
        from .. import services

        if not os.path.isfile(args.file):
            print(f"文件不存在：{args.file}", file=sys.stderr)
            return 2
        with open(args.file, "rb") as fh:
            job = services.start_import(kind, File(fh, name=os.path.basename(args.file)), region=args.region,
                                        insurance_year=args.year, source=getattr(args, "source", ""), actor=actor,
                                        in_process=True)
        return _print_outcome(job)

    return run


def _review(args, actor) -> int:
    from yibao.jobs.models import Job

    from .. import selectors, services

    batch = selectors.batch_for(actor, args.batch)
    if batch is None:
        print(f"批次 {args.batch} 不存在，或不在 {actor.username} 的管辖范围内", file=sys.stderr)
        return 2
    outcome = services.start_review(batch, actor=actor, approve=args.approve, note=args.note)
    if isinstance(outcome, Job):
        return _print_outcome(outcome)
    print(outcome.message)
    return 0


COMMANDS: dict = {
    "import-registrations": ("resident.import", _import("registrations")),
    "import-hardship": ("resident.import", _import("hardship")),
    "review-batch": ("resident.review", _review),
}
