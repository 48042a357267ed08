"""``yibao policy``: run case files, ask questions, list regions and questions. No database,
no Django.

  yibao policy list [--json]
  yibao policy ask REGION QUESTION key=value… [--json]
  yibao policy test FILE…
  yibao policy check [FOLDER]
  yibao policy gaps [--region CODE] [--year YEAR] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys

from .errors import PolicyFileError


def _engine(folder: str | None = None):
    from . import Engine, get_engine

    return Engine.from_folder(folder) if folder else get_engine()


def _pairs(items: list[str]) -> dict:
    out = {}
    for item in items:
        if "=" not in item:
            raise ValueError(f"参数 {item!r} 应写成 key=value")
        key, value = item.split("=", 1)
        out[key.strip()] = value.strip()
    return out


def cmd_list(args, out) -> int:
    engine = _engine()
    if args.json:
        print(json.dumps({"regions": engine.regions(), "questions": engine.questions()}, ensure_ascii=False, indent=2),
              file=out)
        return 0
    print("统筹区：", file=out)
    for r in engine.regions():
        docs = "；".join(f"《{d['title']}》" + (f"（{d['number']}）" if d["number"] else "") for d in r["documents"])
        print(f"  {r['code']}  {r['name']}（{r['province']}，{'、'.join(r['schemes'])}）  {docs}", file=out)
    print("问题：", file=out)
    for q in engine.questions():
        inputs = ", ".join(i["name"] + ("" if i["required"] else "?") for i in q["inputs"])
        print(f"  {q['name']:<36} {q['title']}  输入：{inputs}", file=out)
    return 0


def _print_answer(answer, engine, out) -> None:
    region = next((r for r in engine.regions() if r["code"] == answer.region), None)
    q = engine.question(answer.question)
    head = f"{region['name']}（{answer.region}）" if region else answer.region
    print(f"{head} · {answer.question}" + (f" {q.title}" if q else ""), file=out)
    if answer.ok:
        print("结果：", file=out)
        data = answer.to_json()["values"]
        for key, value in data.items():
            title = q.outputs.get(key, "") if q else ""
            shown = json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else (
                "空" if value is None else ("是" if value is True else "否" if value is False else value))
            print(f"  {key} = {shown}" + (f"    （{title}）" if title else ""), file=out)
    else:
        e = answer.error
        print(f"不能给出结果（{e['code']}）：{e['message']}", file=out)
        if e.get("missing"):
            print(f"  缺少参数：{'、'.join(e['missing'])}", file=out)
    print("依据：", file=out)
    for i, step in enumerate(answer.to_json()["explanation"], 1):
        print(f"  {i}. {step['rule']}", file=out)
        for name, value in step.get("parameters", {}).items():
            shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            print(f"     参数 {name} = {shown}", file=out)
        for c in step.get("citations", []):
            print(f"     出处：{c['text']}" + (f"（{c['note']}）" if c.get("note") else ""), file=out)


def cmd_ask(args, out) -> int:
    try:
        inputs = _pairs(args.pairs)
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    engine = _engine()
    answer = engine.ask(args.region, args.question, inputs)
    if args.json:
        print(json.dumps(answer.to_json(), ensure_ascii=False, indent=2), file=out)
    else:
        _print_answer(answer, engine, out)
    return 0 if answer.ok else 1


def cmd_test(args, out) -> int:
    from .cases import run_files

    engine = _engine()
    _, failed, malformed = run_files(engine, args.files, out)
    return 1 if failed or malformed else 0


def cmd_check(args, out) -> int:
    from . import Engine, policy_folder
    from .params import available_overlays

    folder = args.folder or str(policy_folder())
    engine = Engine.from_folder(folder)
    print(f"政策文件有效：{len(engine.regions())} 个统筹区（{engine.policies.folder}）", file=out)
    for name in available_overlays(folder):      # every overlay is checked, loaded or not
        overlay = Engine.from_folder(folder, overlays=[name]).policies.overlays[0]
        print(f"叠加配置有效：{name}（{overlay.label}；{'、'.join(overlay.regions)}）", file=out)
    return 0


def cmd_gaps(args, out) -> int:
    import datetime as dt
    import os

    from .gaps import gaps

    engine = _engine()
    year = args.year or int((os.environ.get("YIBAO_TODAY") or dt.date.today().isoformat())[:4])
    found = gaps(engine, year, args.region)
    if args.json:
        print(json.dumps([g.__dict__ for g in found], ensure_ascii=False, indent=2), file=out)
        return 0
    names = {r["code"]: r["name"] for r in engine.regions()}
    print(f"{year} 年度尚不能回答的问题（not_configured）：", file=out)
    region = None
    for g in found:
        if g.region != region:
            region = g.region
            print(f"{names[g.region]}（{g.region}）", file=out)
        print(f"  {g.question:<36} {g.title}  缺少：{'、'.join(g.missing)}", file=out)
    if not found:
        print("  无", file=out)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="yibao policy", description="政策引擎：查询政策问题、运行案例文件（无需数据库）")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("list", help="列出统筹区和可问的问题")
    s.add_argument("--json", action="store_true", help="以 JSON 输出")
    s.set_defaults(func=cmd_list)
    s = sub.add_parser("ask", help="问一个问题：ask REGION QUESTION key=value…")
    s.add_argument("region", help="统筹区代码，如 370700")
    s.add_argument("question", help="问题名，如 employee.base")
    s.add_argument("pairs", nargs="*", help="输入，如 month=2024-01 wage=3000；列表用逗号分隔")
    s.add_argument("--json", action="store_true", help="以 JSON 输出")
    s.set_defaults(func=cmd_ask)
    s = sub.add_parser("test", help="运行案例文件，每个未通过的案例一行，最后一行为“N passed, N failed”")
    s.add_argument("files", nargs="+", help="案例文件（YAML）")
    s.set_defaults(func=cmd_test)
    s = sub.add_parser("gaps", help="列出各统筹区尚不能回答（not_configured）的问题及缺少的参数")
    s.add_argument("--region", help="统筹区代码，如 370700")
    s.add_argument("--year", type=int, help="年度（默认为当前年度）")
    s.add_argument("--json", action="store_true", help="以 JSON 输出")
    s.set_defaults(func=cmd_gaps)
    s = sub.add_parser("check", help="检查政策文件夹能否加载")
    s.add_argument("folder", nargs="?", help="政策文件夹（默认 src/yibao/policies 或 YIBAO_POLICY_DIR）")
    s.set_defaults(func=cmd_check)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    out = sys.stdout
    try:
        return args.func(args, out)
    except PolicyFileError as exc:
        print(f"政策文件有误：{exc}", file=sys.stderr)
        if args.command == "test":
            print("0 passed, 0 failed", file=out)
        return 2


if __name__ == "__main__":
    sys.exit(main())
