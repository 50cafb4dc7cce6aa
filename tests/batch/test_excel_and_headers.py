"""Excel in and out, CSV with a BOM, and the Chinese headers of profile tables."""

from __future__ import annotations

import json
import logging

import pandas as pd
import pytest

from recommender.batch import score_batch
from recommender.cli import main
from recommender.columns import apply_profile_columns, map_profile_columns
from recommender.exceptions import InputError, TableSchemaError
from recommender.io import read_profiles_table

openpyxl = pytest.importorskip("openpyxl")

HEADERS = ["序号", "企业名称", "所属行业", "企业简介", "意向区域", "层级", "联系人"]
ROWS = [
    ["1", "株洲某轨道装备公司", "轨道交通装备", "牵引变流器、电机配套", "湖南省", "区县", "张三"],
    ["2", "=HYPERLINK(\"http://x\",\"点我\")", "陶瓷", "日用陶瓷和釉料", "", "", "李四"],
    ["3", "空白企业", "", "", "", "", ""],
    ["4", "火星公司", "陶瓷", "", "火星", "", ""],
    ["5", "-1+2 科技", "", "硬质合金刀具", "", "", ""],
]


def _workbook(path, sheets):
    """Write sheets of text cells (a title row allowed); '=...' stays text, not a formula."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is None:
                    continue
                cell = ws.cell(row=r, column=c, value=value)
                cell.data_type = "s"
    wb.save(path)
    return path


@pytest.fixture()
def chinese_xlsx(tmp_path):
    return _workbook(tmp_path / "招商企业名单.xlsx",
                     {"说明": [["本表为示例"]], "名单": [["2026年重点招商企业名单"], HEADERS] + ROWS})


@pytest.fixture()
def first_sheet_xlsx(tmp_path):
    return _workbook(tmp_path / "名单.xlsx", {"Sheet1": [HEADERS] + ROWS})


# --------------------------------------------------------------------- the header map
def test_map_profile_columns_chinese_traditional_and_contract_names():
    m = map_profile_columns(["企業名稱", "所屬行業", "企業簡介/主營業務", "意向區域", "層級", "排除", "備註"])
    assert m.used == (("企業名稱", "profile_id"), ("所屬行業", "sectors"), ("企業簡介/主營業務", "text"),
                      ("意向區域", "regions"), ("層級", "levels"), ("排除", "exclude"))
    assert m.ignored == ("備註",)
    m = map_profile_columns(["profile_id", "sectors", "text"])
    assert m.used == (("profile_id", "profile_id"), ("sectors", "sectors"), ("text", "text"))
    assert map_profile_columns([" *企业名称（全称） ", "Sectors"]).fields == ("profile_id", "sectors")


def test_one_id_column_wins_and_text_columns_are_joined():
    frame = pd.DataFrame({"编号": ["7"], "企业名称": ["甲公司"], "企业简介": ["日用陶瓷"], "主营业务": ["釉料"],
                          "意向省份": ["湖南省"], "意向城市": ["株洲市"]})
    out, m = apply_profile_columns(frame)
    assert ("编号" in m.ignored) and ("企业名称", "profile_id") in m.used
    rec = out.to_dict(orient="records")[0]
    assert rec["profile_id"] == "甲公司"
    assert rec["text"] == "日用陶瓷\n釉料"
    assert rec["regions"] == ["湖南省", "株洲市"]
    assert "columns used: 编号" not in m.describe() and "ignored: 编号" in m.describe()


def test_table_without_usable_column_names_found_and_expected(tmp_path):
    path = tmp_path / "名单.csv"
    path.write_text("联系人,电话\n张三,1\n", encoding="utf-8-sig")
    with pytest.raises(TableSchemaError) as err:
        read_profiles_table(path)
    msg = str(err.value)
    assert "联系人, 电话" in msg and "所属行业" in msg and "企业简介" in msg and "\n" not in msg


def test_chinese_level_words_are_levels():
    from recommender.profiles import InvestorProfile

    assert InvestorProfile(text="陶瓷", levels="县区；產業園區、镇").levels == ("district", "park", "town")
    with pytest.raises(InputError, match="unknown level"):
        InvestorProfile(text="陶瓷", levels="星球")


def test_score_batch_on_a_chinese_dataframe(model, caplog):
    table = pd.DataFrame({"企业名称": ["甲", "乙"], "所属行业": ["陶瓷", ""], "企业简介": ["日用陶瓷", ""],
                          "联系人": ["张三", "李四"]})
    with caplog.at_level(logging.WARNING, logger="recommender.batch"):
        out = score_batch(model, table, top_k=2)
    assert out["profile_id"].tolist() == ["甲", "乙"]
    assert out["n_matches"].tolist()[0] == 2 and out["error"].iloc[1].startswith("profile '乙' is empty")
    assert any("联系人" in r.getMessage() for r in caplog.records)


# ------------------------------------------------------------------------ BOM readers
def test_every_csv_reader_accepts_a_bom(tmp_path):
    from recommender.corpus import load_corpus
    from recommender.evaluation.benchmark import load_benchmark

    (tmp_path / "profiles.csv").write_text("profile_id,sectors,text\np1,陶瓷,日用陶瓷\n", encoding="utf-8-sig")
    (tmp_path / "judgements.csv").write_text("profile_id,entity,grade\np1,醴陵市,3\n", encoding="utf-8-sig")
    assert read_profiles_table(tmp_path / "profiles.csv").columns.tolist() == ["profile_id", "sectors", "text"]
    bench = load_benchmark(tmp_path)
    assert [p["profile_id"] for p in bench.profiles] == ["p1"]
    table = tmp_path / "reports.csv"
    table.write_text("province,title,content\n湖南省,报告,株洲市加快发展轨道交通装备产业。\n", encoding="utf-8-sig")
    corpus = load_corpus(table)
    assert len(corpus.documents) == 1


# ------------------------------------------------------------------------- Excel in
def test_read_sheet_finds_header_below_title_and_named_sheet(chinese_xlsx):
    frame = read_profiles_table(chinese_xlsx, sheet="名单")
    assert frame.columns.tolist() == ["profile_id", "sectors", "text", "regions", "levels"]
    assert len(frame) == len(ROWS)
    assert frame["profile_id"].iloc[1].startswith("=HYPERLINK")  # read as text, not run
    with pytest.raises(InputError, match="no sheet '名单2'.*说明, 名单"):
        read_profiles_table(chinese_xlsx, sheet="名单2")
    with pytest.raises(TableSchemaError, match="columns found"):
        read_profiles_table(chinese_xlsx)  # the first sheet is a note, not a table


def test_missing_openpyxl_names_the_extra(monkeypatch, first_sheet_xlsx):
    import sys

    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(ImportError, match=r"recommender\[excel\]"):
        read_profiles_table(first_sheet_xlsx)


# ---------------------------------------------------------------------------- CLI
def test_cli_xlsx_in_xlsx_and_csv_out_keep_every_row(model_path, chinese_xlsx, tmp_path, capsys):
    out_x, out_c = tmp_path / "结果.xlsx", tmp_path / "结果.csv"
    for out in (out_x, out_c):
        code = main(["score", str(chinese_xlsx), "--sheet", "名单", "--out", str(out), "--model", str(model_path),
                     "--quiet"])
        err = capsys.readouterr().err
        assert code == 0, err
        assert ("recommender: columns used: 企业名称→profile_id, 所属行业→sectors, 企业简介→text, "
                "意向区域→regions, 层级→levels; ignored: 序号, 联系人") in err.splitlines()

    raw = out_c.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    flat = pd.read_csv(out_c, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert flat.columns[0] == "profile_id"
    ids = [ROWS[0][1], "'" + ROWS[1][1], "空白企业", "火星公司", "'" + ROWS[4][1]]
    assert list(dict.fromkeys(flat["profile_id"])) == ids  # every row, in order, formulas neutralised
    assert sorted(set(flat["row"].astype(int))) == list(range(len(ROWS)))

    sheets = pd.read_excel(out_x, sheet_name=None, dtype=str, keep_default_na=False)
    assert list(sheets) == ["matches", "profiles"]
    profiles, matches = sheets["profiles"], sheets["matches"]
    assert profiles["row"].astype(int).tolist() == list(range(len(ROWS)))
    assert profiles["profile_id"].tolist() == ids
    assert profiles["status"].tolist() == ["ok", "ok", "error", "error", "ok"]
    assert profiles["error"].iloc[2].startswith("profile '空白企业' is empty")
    assert "unknown region '火星'" in profiles["error"].iloc[3]
    assert profiles["企业名称"].tolist()[1] == "'" + ROWS[1][1]  # the input's own cells follow
    assert list(dict.fromkeys(matches["profile_id"])) == ids
    first = matches[matches["rank"] == "1"].iloc[0]
    assert first["citation"].endswith(f"[{first['evidence_start']}:{first['evidence_end']}]")
    assert f"《{first['evidence_title']}》" in first["citation"]

    wb = openpyxl.load_workbook(out_x)
    for ws in wb:
        assert ws.freeze_panes == "A2"
        for cell in ws[1]:
            width = ws.column_dimensions[cell.column_letter].width
            assert 6 <= width <= 60
        assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)
    text_col = [c.column_letter for c in wb["matches"][1] if c.value == "evidence_text"][0]
    assert wb["matches"].column_dimensions[text_col].width == 60  # long text: capped, still readable


def test_cli_xlsx_first_sheet_by_default_and_jsonl_ids(model_path, first_sheet_xlsx, tmp_path, capsys):
    out = tmp_path / "r.jsonl"
    assert main(["score", str(first_sheet_xlsx), "--out", str(out), "--model", str(model_path), "--quiet"]) == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["profile_id"] for r in records][:1] == ["株洲某轨道装备公司"]
    assert records[0]["matches"] and records[0]["matches"][0]["level"] == "district"  # 层级 区县


def test_cli_sheet_errors_are_one_line(model_path, chinese_xlsx, tmp_path, capsys):
    code = main(["score", str(chinese_xlsx), "--sheet", "没有", "--out", str(tmp_path / "r.csv"),
                 "--model", str(model_path)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "说明, 名单" in err
    csv_in = tmp_path / "p.csv"
    csv_in.write_text("sectors\n陶瓷\n", encoding="utf-8")
    code = main(["score", str(csv_in), "--sheet", "名单", "--out", str(tmp_path / "r.csv"), "--model", str(model_path)])
    assert code == 2 and "--sheet is for .xlsx" in capsys.readouterr().err
    assert not (tmp_path / "r.csv").exists()


def test_header_table_names_exactly_the_contract_fields():
    from recommender import columns, profiles

    assert columns.FIELDS == profiles.PROFILE_FIELDS
    assert {f for f, _ in columns.profile_headers().values()} == set(profiles.PROFILE_FIELDS)
    for field in profiles.PROFILE_FIELDS:  # the contract's own names always map to themselves
        assert columns.profile_headers()[field][0] == field


def test_built_header_tables_match_their_seeds(tmp_path, monkeypatch):
    """The committed tables are what the build script makes from the seeds."""
    pytest.importorskip("opencc")
    from importlib import resources

    from recommender.data import build_profile_columns as build

    for name in ("profile_columns.csv", "profile_levels.csv"):
        (tmp_path / name.replace(".csv", "_seed.csv")).write_text(
            resources.files("recommender.data").joinpath(name.replace(".csv", "_seed.csv")).read_text(encoding="utf-8"),
            encoding="utf-8")
    monkeypatch.setattr(build, "HERE", tmp_path)
    build.main()
    for name in ("profile_columns.csv", "profile_levels.csv"):
        packaged = resources.files("recommender.data").joinpath(name).read_text(encoding="utf-8")
        assert (tmp_path / name).read_text(encoding="utf-8") == packaged


def test_batch_to_xlsx_writes_what_the_cli_writes(model, first_sheet_xlsx, tmp_path):
    from recommender.batch import score_file
    from recommender.excel import batch_to_xlsx, read_sheet

    score_file(model, first_sheet_xlsx, tmp_path / "cli.xlsx", top_k=3, evidence_k=1)
    table = read_sheet(first_sheet_xlsx)
    batch_to_xlsx(score_batch(model, table, top_k=3, evidence_k=1), tmp_path / "api.xlsx", profiles=table)
    cli = pd.read_excel(tmp_path / "cli.xlsx", sheet_name=None)
    api = pd.read_excel(tmp_path / "api.xlsx", sheet_name=None)
    assert list(cli) == list(api) == ["matches", "profiles"]
    for name in cli:
        pd.testing.assert_frame_equal(cli[name], api[name])
    assert len(api["profiles"]) == len(ROWS)
