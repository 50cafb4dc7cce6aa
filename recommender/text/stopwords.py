"""Stopword lists: general Chinese stopwords plus the boilerplate of government reports."""

from __future__ import annotations

import functools
from importlib import resources

__all__ = ["general_stopwords", "report_boilerplate", "default_stopwords"]

#: Words that every government work report and plan repeats and that say nothing about
#: a place's industries. Kept short on purpose: words such as 产业, 园区 or 制造 are
#: evidence and stay in the vocabulary.
REPORT_BOILERPLATE = frozenset(
    """
    各位代表 代表 坚持 推进 加快 推动 加强 全面 深入 深化 实施 着力 大力 积极 不断 切实 扎实 努力
    进一步 持续 稳步 有序 有效 全力 统筹 落实 贯彻 围绕 聚焦 突出 强化 健全 完善 提升 提高 促进
    实现 确保 力争 开展 做好 抓好 抓实 用好 工作 任务 目标 重点 方面 领域 水平 能力 体系 机制
    作用 意见 精神 思想 习近平 新时代 中国特色社会主义 党中央 国务院 省委 市委 区委 县委 政府
    人民政府 人大 政协 报告 审议 同志 我们 我国 我省 我市 我区 我县 全省 全市 全区 全县 全镇 全乡
    各级 各类 各项 一批 一流 一年 一是 二是 三是 四是 五是 年度 今年 去年 明年 过去 五年 同比 增长
    达到 亿元 万元 万人 个 项 家 个百分点 百分点 以上 以下 左右 约 其中 同时 通过 进行 成为 形成
    取得 获得 完成 保持 主要 重要 重大 高质量 新 好 大 更 多 高 强 优 稳 快 年 月 日
    """.split()
)

#: Words every investor description uses and no region's evidence can answer
#: (寻找…的园区, 希望靠近…, …企业): they only add noise to a query.
INVESTOR_BOILERPLATE = frozenset(
    """
    企业 公司 寻找 希望 需要 想 想要 靠近 计划 考虑 选址 落户 投资方 投资者 供应商 制造商 生产商
    服务商 厂商 厂家 looking seeking company companies manufacturer manufacturers supplier suppliers
    firm site near
    """.split()
)


@functools.lru_cache(maxsize=1)
def general_stopwords() -> frozenset[str]:
    """Return the general Chinese stopword list (``stopwords-iso`` zh, 794 words).

    Examples
    --------
    >>> "的" in general_stopwords()
    True
    """
    text = resources.files("recommender.text").joinpath("stopwords-zh.txt").read_text(encoding="utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip())


def report_boilerplate() -> frozenset[str]:
    """Return the domain stopwords of government reports (各位代表, 坚持, 推进, 加快 …).

    Examples
    --------
    >>> {"坚持", "推进", "加快"} <= report_boilerplate()
    True
    """
    return REPORT_BOILERPLATE


@functools.lru_cache(maxsize=1)
def default_stopwords() -> frozenset[str]:
    """Return the union of the general, the report and the investor-description stopwords.

    Examples
    --------
    >>> "各位代表" in default_stopwords() and "陶瓷" not in default_stopwords()
    True
    """
    return general_stopwords() | REPORT_BOILERPLATE | INVESTOR_BOILERPLATE
