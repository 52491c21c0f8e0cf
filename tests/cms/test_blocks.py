"""Each lesson block renders what a learner should see, from the statistic it refers to."""

from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError

from cms.blocks import StatisticChartBlock
from cms.models import SignpostingSettings, Statistic
from tests.factories import StatisticFactory, callout_block, chart_block

pytestmark = pytest.mark.django_db


def get_html(client, page):
    response = client.get(page.url)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def test_statistic_callout_shows_figure_period_geography_and_linked_source(trainer_client, make_lesson):
    statistic = StatisticFactory(
        label="Child abuse image crimes recorded by police",
        value=Decimal("33000"),
        qualifier=Statistic.Qualifier.MORE_THAN,
        period="2022/23",
        geography="UK, 35 police forces",
        basis_note="Forces that answered a Freedom of Information request.",
        source_title="NSPCC news, 1 March 2024",
        source_url="https://www.nspcc.org.uk/about-us/news-opinion/2024/",
    )
    lesson = make_lesson([callout_block(statistic, context="<p>Behind each one is a child.</p>")])

    figure = get_html(trainer_client, lesson).select_one("figure.statistic")

    assert figure.select_one(".statistic__figure").get_text(" ", strip=True) == "More than 33,000"
    assert "2022/23" in figure.select_one(".statistic__meta").text
    assert "UK, 35 police forces" in figure.select_one(".statistic__meta").text
    assert "Freedom of Information" in figure.select_one(".statistic__basis").text
    assert "Behind each one is a child." in figure.text
    link = figure.select_one("figcaption a")
    assert link["href"] == "https://www.nspcc.org.uk/about-us/news-opinion/2024/"
    assert link.text == "NSPCC news, 1 March 2024"


def test_statistic_chart_draws_scaled_bars_and_a_data_table(trainer_client, make_lesson):
    snapchat = StatisticFactory(label="Snapchat", value=Decimal("50"), unit="percent", period="2023/24")
    instagram = StatisticFactory(label="Instagram", value=Decimal("11"), unit="percent", period="2023/24")
    lesson = make_lesson([chart_block([snapchat, instagram], title="Platforms police recorded")])

    figure = get_html(trainer_client, lesson).select_one("figure.chart")

    svg = figure.select_one("svg")
    assert svg["aria-hidden"] == "true"
    widths = [float(rect["width"]) for rect in svg.select("rect")]
    assert len(widths) == 2
    assert widths[0] / widths[1] == pytest.approx(50 / 11, rel=0.01)
    assert [t.text for t in svg.select("text.chart__value")] == ["50%", "11%"]
    table = figure.select_one("table")
    assert table.caption.text == "Platforms police recorded"
    rows = [[cell.get_text(strip=True) for cell in row.select("th, td")] for row in table.tbody.select("tr")]
    assert rows[0][:2] == ["Snapchat", "50%"]
    assert rows[1][:2] == ["Instagram", "11%"]
    assert "2023/24" in figure.figcaption.text


def test_chart_labels_bars_by_period_when_every_label_is_the_same(trainer_client, make_lesson):
    earlier = StatisticFactory(label="Sextortion reports", value=Decimal("10731"), period="2022")
    later = StatisticFactory(label="Sextortion reports", value=Decimal("26718"), period="2023")
    lesson = make_lesson([chart_block([earlier, later])])

    table = get_html(trainer_client, lesson).select_one("figure.chart table")

    assert [th.text for th in table.tbody.select("th")] == ["2022", "2023"]


def test_chart_refuses_to_mix_counts_and_percentages():
    count = StatisticFactory(unit="count")
    percent = StatisticFactory(unit="percent", value=Decimal("44"))
    block = StatisticChartBlock()
    value = block.to_python({"title": "Mixed", "caption": "", "statistics": [count.pk, percent.pk]})

    with pytest.raises(ValidationError):
        block.clean(value)


def test_text_blocks_render(trainer_client, make_lesson):
    lesson = make_lesson(
        [
            {"type": "heading", "value": {"text": "Where it happens", "level": "h2"}},
            {"type": "heading", "value": {"text": "Private messaging", "level": "h3"}},
            {"type": "paragraph", "value": "<p>Most contact starts on <strong>social media</strong>.</p>"},
            {"type": "key_point", "value": {"title": "Remember", "text": "<p>Tell the DSL.</p>"}},
            {"type": "content_note", "value": {"text": "This section discusses grooming."}},
            {
                "type": "quote",
                "value": {
                    "quote": "Act with greater ambition.",
                    "attribution": "NSPCC",
                    "source_url": "https://www.nspcc.org.uk/",
                },
            },
        ]
    )

    html = get_html(trainer_client, lesson)
    article = html.select_one("article")

    assert article.select_one("h2.block-heading").text == "Where it happens"
    assert article.select_one("h3.block-heading").text == "Private messaging"
    assert article.select_one(".prose strong").text == "social media"
    assert article.select_one(".key-point__title").text == "Remember"
    assert "This section discusses grooming." in article.select_one(".content-note").text
    blockquote = article.select_one("figure.quote blockquote")
    assert blockquote["cite"] == "https://www.nspcc.org.uk/"
    assert "Act with greater ambition." in blockquote.text


def test_signposting_block_uses_the_site_wide_contacts(trainer_client, make_lesson):
    settings = SignpostingSettings.load()
    settings.contacts = [
        {"type": "contact", "value": {"name": "Childline", "contact": "0800 1111", "when": "", "url": ""}},
        {
            "type": "contact",
            "value": {"name": "Police", "contact": "999", "when": "Immediate danger", "url": ""},
        },
    ]
    settings.save()
    lesson = make_lesson(
        [{"type": "signposting", "value": {"heading": "Who to tell", "intro": "Do not wait."}}]
    )

    html = get_html(trainer_client, lesson)
    panels = html.select("aside.signposting")

    # the block in the body, and the panel every lesson page ends with
    assert len(panels) == 2
    assert panels[0].h2.text == "Who to tell"
    assert "Do not wait." in panels[0].text
    for panel in panels:
        assert "Childline: 0800 1111" in " ".join(panel.text.split())
        assert "Police: 999. Immediate danger" in " ".join(panel.text.split())


def test_image_block_renders_with_alt_text(trainer_client, make_lesson):
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    image = Image.objects.create(title="Staff room", file=get_test_image_file())
    lesson = make_lesson(
        [{"type": "image", "value": {"image": image.pk, "alt_text": "A poster", "caption": "The DSL poster"}}]
    )

    figure = get_html(trainer_client, lesson).select_one("figure.image-block")

    assert figure.img["alt"] == "A poster"
    assert figure.figcaption.text == "The DSL poster"


def test_editing_a_statistic_changes_every_lesson_that_uses_it(trainer_client, make_lesson):
    statistic = StatisticFactory(value=Decimal("30925"), period="2021/22")
    first = make_lesson([callout_block(statistic)])
    second = make_lesson([chart_block([statistic, StatisticFactory(value=Decimal("100"))])])
    assert "30,925" in get_html(trainer_client, first).select_one(".statistic__value").text

    statistic.value = Decimal("33000")
    statistic.period = "2022/23"
    statistic.save()

    first_html, second_html = get_html(trainer_client, first), get_html(trainer_client, second)
    assert first_html.select_one(".statistic__value").text == "33,000"
    assert "2022/23" in first_html.select_one(".statistic__meta").text
    assert "30,925" not in str(first_html)
    assert "33,000" in second_html.select_one("figure.chart svg").text
    assert "30,925" not in str(second_html)
