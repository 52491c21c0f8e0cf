"""Demo course content for the "Online safety" module of "Safeguarding children".

Pure data, no Django imports: the load_demo command turns it into pages, snippets and settings.

Rules this file follows (see DESIGN.md section 6 and content/facts.md):
- every figure lives in STATISTICS, with its period, geography, basis and source; lesson prose
  never repeats a figure, it points to a statistic_callout or statistic_chart block instead;
- comparisons are labelled honestly: the NSPCC rises are like-for-like across the forces that
  answered in both years, and totals from different years or sources are not directly comparable;
- "child sexual abuse material" or "indecent images of children", never "child pornography";
- calm, factual, never graphic; nothing describes abuse material.
"""

from datetime import date
from decimal import Decimal

# Sources used more than once.
NSPCC_2024_TITLE = (
    "NSPCC: Child abuse image crimes increase, calling on Ofcom and tech companies to take action "
    "(1 March 2024)"
)
NSPCC_2024_URL = (
    "https://www.nspcc.org.uk/about-us/news-opinion/2024/"
    "Child-abuse-image-crimes-increase-calling-ofcom-tech-companies-take-action/"
)
NSPCC_2025_TITLE = (
    "NSPCC: More than 100 child sexual abuse image crimes being recorded by police every day "
    "(18 February 2025)"
)
NSPCC_2025_URL = (
    "https://www.nspcc.org.uk/about-us/news-opinion/2025/"
    "2025-02-18-more-than-100-child-sexual-abuse-image-crimes-being-recorded-by-police-every-day/"
)
NCA_ALERT_TITLE = (
    "UK Safer Internet Centre: National Crime Agency issues financially motivated sexual extortion "
    "alert to UK schools"
)
NCA_ALERT_URL = (
    "https://saferinternet.org.uk/blog/"
    "national-crime-agency-issues-financially-motivated-sexual-extortion-alert-to-uk-schools"
)
IWF_2024_TITLE = "IWF: Parliamentarians join the IWF to tackle online child sexual abuse material"
IWF_2024_URL = (
    "https://www.iwf.org.uk/news-media/blogs/"
    "parliamentarians-join-the-iwf-to-tackle-online-child-sexual-abuse-material"
)

PLATFORMS_2023_24_GEOGRAPHY = (
    "UK, offences where police recorded the platform used (NSPCC Freedom of Information request)"
)
PLATFORMS_2023_24_BASIS = (
    "A share of the offences where police recorded the app or website used, not of all offences. "
    "Instagram, Facebook and WhatsApp are all owned by Meta."
)
NCMEC_GEOGRAPHY = "Worldwide: reports to the US National Center for Missing & Exploited Children"
NCMEC_BASIS = (
    "Reports to NCMEC from around the world, as cited in coverage of the National Crime Agency's "
    "alert to UK schools. A count of reports, not of children, and not a UK-only figure."
)
IWF_AI_GEOGRAPHY = "Worldwide: reports assessed by the UK's Internet Watch Foundation"
IWF_AI_BASIS = (
    "Reports of AI-generated child sexual abuse material that the IWF assessed as actionable. Calendar years."
)

STATISTICS = [
    # --- Lesson 1: the NSPCC series ---------------------------------------------------------
    {
        "key": "iic_uk_2022_23",
        "label": "Child abuse image crimes recorded by UK police",
        "value": Decimal("33000"),
        "unit": "count",
        "qualifier": "more_than",
        "period": "2022/23",
        "geography": "UK, 35 police forces that answered an NSPCC Freedom of Information request",
        "basis_note": (
            "Offences in which child abuse images were collected and distributed, as recorded by "
            "the police forces that answered the NSPCC's request. Not directly comparable with the "
            "2021/22 total, because a different set of forces responded. The NSPCC stated the "
            "figure as 'more than'; the exact count was not in the sources checked."
        ),
        "source_title": NSPCC_2024_TITLE,
        "source_url": NSPCC_2024_URL,
        "source_published": date(2024, 3, 1),
    },
    {
        "key": "iic_rise_2021_22_to_2022_23",
        "label": "Rise in child abuse image crimes on the year before, like for like",
        "value": Decimal("25"),
        "unit": "percent",
        "qualifier": "exact",
        "period": "2021/22 to 2022/23",
        "geography": "UK, police forces that supplied figures in both years",
        "basis_note": (
            "Like-for-like: compares only the police forces that supplied figures in both years. "
            "It is not the change between the two years' headline totals, which came from "
            "different sets of forces."
        ),
        "source_title": NSPCC_2024_TITLE,
        "source_url": NSPCC_2024_URL,
        "source_published": date(2024, 3, 1),
    },
    {
        "key": "iic_rise_2017_18_to_2022_23",
        "label": "Longer-term rise in child abuse image crimes, like for like",
        "value": Decimal("79"),
        "unit": "percent",
        "qualifier": "exact",
        "period": "2017/18 to 2022/23",
        "geography": "UK, police forces that supplied figures in both years",
        "basis_note": (
            "Like-for-like: compares only the police forces that supplied figures for both "
            "2017/18 and 2022/23. The NSPCC links 2017/18 to the year it first called for online "
            "safety laws."
        ),
        "source_title": NSPCC_2024_TITLE,
        "source_url": NSPCC_2024_URL,
        "source_published": date(2024, 3, 1),
    },
    {
        "key": "iic_uk_2021_22",
        "label": "Offences of sharing or possessing indecent images of children, UK police",
        "value": Decimal("30925"),
        "unit": "count",
        "qualifier": "exact",
        "period": "2021/22",
        "geography": "UK, police forces that answered an NSPCC Freedom of Information request",
        "basis_note": (
            "From the previous year's NSPCC release. Not directly comparable with the 2022/23 "
            "total, because a different set of forces responded. The NSPCC's own page gives a "
            "rounded figure; the exact count comes from press coverage of the same release."
        ),
        "source_title": (
            "Daily Mail report (syndicated): Number of crimes involving child abuse images soars by 66%"
        ),
        "source_url": (
            "https://iknowallnews.com/world-news/number-of-crimes-involving-child-abuse-images-soars-by-66"
        ),
        "source_published": None,
    },
    {
        "key": "iic_england_wales_2023_24",
        "label": "Child sexual abuse image offences recorded by police in England and Wales",
        "value": Decimal("38685"),
        "unit": "count",
        "qualifier": "exact",
        "period": "2023/24",
        "geography": "England and Wales (Home Office recorded crime data)",
        "basis_note": (
            "Home Office recorded crime data for England and Wales, published by the NSPCC. A "
            "different source and geography from the NSPCC's UK Freedom of Information totals, so "
            "not directly comparable with them."
        ),
        "source_title": NSPCC_2025_TITLE,
        "source_url": NSPCC_2025_URL,
        "source_published": date(2025, 2, 18),
    },
    # --- Lesson 2: platforms and encryption -----------------------------------------------------
    {
        "key": "iic_snapchat_2022_23",
        "label": "Snapchat: share of image crimes where the platform was known",
        "value": Decimal("44"),
        "unit": "percent",
        "qualifier": "exact",
        "period": "2022/23",
        "geography": "UK, offences where police identified the platform used (NSPCC FOI request)",
        "basis_note": (
            "A share of the offences where police identified the app or website used, not of all "
            "offences. The NSPCC described it as almost half."
        ),
        "source_title": NSPCC_2024_TITLE,
        "source_url": NSPCC_2024_URL,
        "source_published": date(2024, 3, 1),
    },
    {
        "key": "iic_meta_2022_23",
        "label": "Meta's apps (Instagram, Facebook, WhatsApp): share where the platform was known",
        "value": Decimal("25"),
        "unit": "percent",
        "qualifier": "about",
        "period": "2022/23",
        "geography": "UK, offences where police identified the platform used (NSPCC FOI request)",
        "basis_note": (
            "Instagram, Facebook and WhatsApp together, as a share of the offences where police "
            "identified the app or website used. The NSPCC described it as a quarter."
        ),
        "source_title": NSPCC_2024_TITLE,
        "source_url": NSPCC_2024_URL,
        "source_published": date(2024, 3, 1),
    },
    {
        "key": "iic_platform_recorded_2023_24",
        "label": "Child sexual abuse image offences where police recorded the platform used",
        "value": Decimal("7338"),
        "unit": "count",
        "qualifier": "exact",
        "period": "2023/24",
        "geography": "UK, police forces that answered an NSPCC Freedom of Information request",
        "basis_note": (
            "Only some offences have the app or website recorded. The platform shares for the "
            "same year are percentages of this number, not of all offences."
        ),
        "source_title": NSPCC_2025_TITLE,
        "source_url": NSPCC_2025_URL,
        "source_published": date(2025, 2, 18),
    },
    {
        "key": "iic_snapchat_2023_24",
        "label": "Snapchat: share of image crimes where the platform was recorded",
        "value": Decimal("50"),
        "unit": "percent",
        "qualifier": "exact",
        "period": "2023/24",
        "geography": PLATFORMS_2023_24_GEOGRAPHY,
        "basis_note": PLATFORMS_2023_24_BASIS,
        "source_title": NSPCC_2025_TITLE,
        "source_url": NSPCC_2025_URL,
        "source_published": date(2025, 2, 18),
    },
    {
        "key": "iic_instagram_2023_24",
        "label": "Instagram: share of image crimes where the platform was recorded",
        "value": Decimal("11"),
        "unit": "percent",
        "qualifier": "exact",
        "period": "2023/24",
        "geography": PLATFORMS_2023_24_GEOGRAPHY,
        "basis_note": PLATFORMS_2023_24_BASIS,
        "source_title": NSPCC_2025_TITLE,
        "source_url": NSPCC_2025_URL,
        "source_published": date(2025, 2, 18),
    },
    {
        "key": "iic_facebook_2023_24",
        "label": "Facebook: share of image crimes where the platform was recorded",
        "value": Decimal("7"),
        "unit": "percent",
        "qualifier": "exact",
        "period": "2023/24",
        "geography": PLATFORMS_2023_24_GEOGRAPHY,
        "basis_note": PLATFORMS_2023_24_BASIS,
        "source_title": NSPCC_2025_TITLE,
        "source_url": NSPCC_2025_URL,
        "source_published": date(2025, 2, 18),
    },
    {
        "key": "iic_whatsapp_2023_24",
        "label": "WhatsApp: share of image crimes where the platform was recorded",
        "value": Decimal("6"),
        "unit": "percent",
        "qualifier": "exact",
        "period": "2023/24",
        "geography": PLATFORMS_2023_24_GEOGRAPHY,
        "basis_note": PLATFORMS_2023_24_BASIS,
        "source_title": NSPCC_2025_TITLE,
        "source_url": NSPCC_2025_URL,
        "source_published": date(2025, 2, 18),
    },
    {
        "key": "meta_csam_reports_2022",
        "label": "Incidents of child sexual abuse material on Facebook and Messenger reported by Meta",
        "value": Decimal("20000000"),
        "unit": "count",
        "qualifier": "more_than",
        "period": "2022",
        "geography": "Worldwide: Meta's reports to the US National Center for Missing & Exploited Children",
        "basis_note": (
            "Reports made by Meta from Facebook and Messenger, before Meta switched on default "
            "end-to-end encryption for personal messages. Worldwide, not a UK-only figure."
        ),
        "source_title": "NCMEC: A devastating blow to child protection as Meta expands encryption",
        "source_url": (
            "https://www.missingkids.org/blog/2023/devastating-blow-child-protection-meta-expands-encryption"
        ),
        "source_published": None,
    },
    # --- Lesson 3: grooming and sextortion --------------------------------------------------------
    {
        "key": "ncmec_sextortion_reports_2022",
        "label": "Sextortion reports to NCMEC",
        "value": Decimal("10731"),
        "unit": "count",
        "qualifier": "exact",
        "period": "2022",
        "geography": NCMEC_GEOGRAPHY,
        "basis_note": NCMEC_BASIS,
        "source_title": NCA_ALERT_TITLE,
        "source_url": NCA_ALERT_URL,
        "source_published": None,
    },
    {
        "key": "ncmec_sextortion_reports_2023",
        "label": "Sextortion reports to NCMEC",
        "value": Decimal("26718"),
        "unit": "count",
        "qualifier": "exact",
        "period": "2023",
        "geography": NCMEC_GEOGRAPHY,
        "basis_note": NCMEC_BASIS,
        "source_title": NCA_ALERT_TITLE,
        "source_url": NCA_ALERT_URL,
        "source_published": None,
    },
    {
        "key": "iwf_sextortion_male_2023",
        "label": "Share of victims who were male in UK sextortion cases handled by the IWF",
        "value": Decimal("91"),
        "unit": "percent",
        "qualifier": "exact",
        "period": "2023",
        "geography": "UK sextortion cases handled by the Internet Watch Foundation",
        "basis_note": (
            "Cases the IWF dealt with, as cited in coverage of the National Crime Agency's alert to "
            "UK schools. Not every sextortion case in the UK."
        ),
        "source_title": "Deeside.com: National Crime Agency issues alert for teachers due to huge rise in "
        "sextortion cases",
        "source_url": (
            "https://www.deeside.com/national-crime-agency-issues-alert-for-"
            "teachers-due-to-huge-rise-in-sextortion-cases/"
        ),
        "source_published": None,
    },
    {
        "key": "childline_blackmail_sessions_2023_24",
        "label": "Childline counselling sessions about online blackmail or threats to share images",
        "value": Decimal("903"),
        "unit": "count",
        "qualifier": "exact",
        "period": "2023/24",
        "geography": "UK, Childline (run by the NSPCC)",
        "basis_note": (
            "Counselling sessions, not individual children: one child may have more than one "
            "session. Reported as a rise on the year before."
        ),
        "source_title": "UKNIP: Met Police recorded nearly 2,800 child sexual abuse image crimes in London "
        "last year",
        "source_url": (
            "https://uknip.co.uk/news/uk/us-news/"
            "met-police-recorded-nearly-2800-child-sexual-abuse-image-crimes-in-london-last-year"
        ),
        "source_published": None,
    },
    # --- Lessons 4 and 5: IWF figures -----------------------------------------------------------
    {
        "key": "iwf_ai_csam_2023",
        "label": "AI-generated child sexual abuse material: actionable reports to the IWF",
        "value": Decimal("51"),
        "unit": "count",
        "qualifier": "exact",
        "period": "2023",
        "geography": IWF_AI_GEOGRAPHY,
        "basis_note": IWF_AI_BASIS,
        "source_title": IWF_2024_TITLE,
        "source_url": IWF_2024_URL,
        "source_published": None,
    },
    {
        "key": "iwf_ai_csam_2024",
        "label": "AI-generated child sexual abuse material: actionable reports to the IWF",
        "value": Decimal("245"),
        "unit": "count",
        "qualifier": "exact",
        "period": "2024",
        "geography": IWF_AI_GEOGRAPHY,
        "basis_note": IWF_AI_BASIS,
        "source_title": IWF_2024_TITLE,
        "source_url": IWF_2024_URL,
        "source_published": None,
    },
    {
        "key": "iwf_confirmed_reports_2024",
        "label": "Reports the IWF confirmed as containing, linking to or advertising child abuse imagery",
        "value": Decimal("291273"),
        "unit": "count",
        "qualifier": "exact",
        "period": "2024",
        "geography": "Worldwide: reports assessed by the UK's Internet Watch Foundation",
        "basis_note": (
            "Reports that IWF analysts confirmed contained, linked to or advertised child sexual "
            "abuse imagery, wherever in the world it was hosted. The IWF's highest annual total "
            "so far."
        ),
        "source_title": IWF_2024_TITLE,
        "source_url": IWF_2024_URL,
        "source_published": None,
    },
    {
        "key": "report_remove_assessed_2024",
        "label": "Report Remove reports from young people assessed by the IWF",
        "value": Decimal("1142"),
        "unit": "count",
        "qualifier": "exact",
        "period": "2024",
        "geography": "UK, young people under 18 using Report Remove (Childline and the IWF)",
        "basis_note": (
            "Reports from young people asking for nude images of themselves to be taken down. Not "
            "every report met the legal threshold for the IWF to act on it."
        ),
        "source_title": "National Technology News: IWF sees increase in children reporting sexual imagery",
        "source_url": (
            "https://nationaltechnology.co.uk/IWF_Sees_44pc_Increase_In_Children_Reporting_Sexual_Imagery.php"
        ),
        "source_published": None,
    },
]

HOME_INTRO = (
    "<p>Online safeguarding training for nurseries, pre-schools, childminders and schools. "
    "Work through short lessons on your phone or computer, pass the quiz and download a "
    "certificate your manager or an inspector can check.</p>"
)

COURSE = {
    "title": "Safeguarding children",
    "slug": "safeguarding-children",
    "summary": "Safeguarding training for everyone who works with children, one module at a time.",
    "intro": (
        "<p>Short, practical training for everyone who works with children: nursery "
        "practitioners, childminders and school and college staff in England.</p>"
        "<p>Each module ends with a quiz and a certificate you can show your employer or an "
        "inspector. Every figure in the course links to its published source.</p>"
    ),
}

MODULE = {
    "title": "Online safety",
    "slug": "online-safety",
    "summary": (
        "How children are harmed online, what the law and the regulator require, and exactly "
        "what to do when you are worried about a child."
    ),
    "intro": (
        "<p>This module is for all staff and volunteers in early years settings, schools and "
        "colleges. Keeping Children Safe in Education expects safeguarding training for all school "
        "and college staff to include online safety. From 1 September 2025 the early years "
        "framework requires every practitioner to be trained to its minimum safeguarding "
        "criteria.</p>"
        "<p>It covers the scale of online child sexual abuse in the UK, the apps and services "
        "where it happens, grooming and sextortion, the Online Safety Act 2023 and Ofcom's role, "
        "and the steps you must take when you have a concern. Some lessons deal with difficult "
        "subjects: they start with a short note, and you can pause at any time.</p>"
    ),
    "outcomes": [
        "Describe the scale of child abuse image crime in the UK and explain which figures can and "
        "cannot be compared.",
        "Explain where these crimes happen online and why end-to-end encryption worries child "
        "protection organisations.",
        "Recognise possible signs of grooming and sextortion and respond calmly to a child who "
        "tells you about it.",
        "Summarise what the Online Safety Act 2023 requires of online services and what Ofcom "
        "does as the regulator.",
        "Use the correct terms: child sexual abuse material or indecent images of children.",
        "Follow the reporting rule: never view, copy or share an image; tell the DSL at once; call "
        "999 if a child is in immediate danger.",
    ],
    "duration_minutes": 90,
    "cpd_hours": Decimal("1.5"),
}

SIGNPOSTING_CONTACTS = [
    {
        "name": "Your Designated Safeguarding Lead (DSL)",
        "contact": "In person, straight away (or their deputy if the DSL is not available)",
        "when": (
            "Any worry about a child's safety or welfare, including anything you see, hear or are "
            "told about online. Childminders are their own DSL and follow their local "
            "safeguarding procedures."
        ),
    },
    {
        "name": "Police: emergency",
        "contact": "Call 999",
        "when": "A child is in immediate danger. Don't delay.",
    },
    {
        "name": "NSPCC Helpline",
        "contact": "0808 800 5000 or help@nspcc.org.uk",
        "when": (
            "You are an adult, including a professional, who is worried about a child and wants "
            "advice or to report a concern. Check the NSPCC website for current opening hours."
        ),
        "url": "https://www.nspcc.org.uk/what-you-can-do/report-abuse/",
    },
    {
        "name": "Childline",
        "contact": "0800 1111, or email and 1-2-1 chat at childline.org.uk",
        "when": (
            "For children and young people under 19 in the UK: free, confidential and open 24 "
            "hours. You can give a child this number."
        ),
        "url": "https://learning.nspcc.org.uk/services/childline",
    },
    {
        "name": "CEOP Safety Centre (National Crime Agency)",
        "contact": "Online report form at ceop.police.uk",
        "when": (
            "To report online sexual abuse or grooming of a child. Professionals can use the form; "
            "a Child Protection Advisor reads every report. Not for bullying, fake or hacked "
            "accounts."
        ),
        "url": (
            "https://ceop.police.uk/Safety-Centre/How-can-CEOP-help-me-YP/"
            "How-can-CEOP-help-me-concerned-adult"
        ),
    },
    {
        "name": "Internet Watch Foundation (IWF)",
        "contact": "Report anonymously at iwf.org.uk/report: only the web address is needed",
        "when": (
            "You come across child sexual abuse material online. Note the web address and report "
            "it. Never save or send the material, even to warn someone: that is illegal."
        ),
        "url": "https://www.iwf.org.uk/report",
    },
    {
        "name": "Report Remove (Childline and the IWF)",
        "contact": "Through childline.org.uk: the young person makes a Childline account",
        "when": (
            "A young person under 18 wants a nude image or video of themselves taken down. "
            "Childline supports them throughout."
        ),
        "url": "https://www.iwf.org.uk/what-we-do/why-we-exist/report-remove",
    },
    {
        "name": "Police: non-emergency",
        "contact": "Call 101",
        "when": "To report a crime or a concern when no one is in immediate danger.",
    },
]

SIGNPOSTING_BLOCK = (
    "signposting",
    {
        "heading": "Who to tell and where to get help",
        "intro": (
            "If anything in this lesson has made you worried about a child, tell your DSL today. "
            "If it has affected you personally, these services can help you too."
        ),
    },
)

LESSONS = [
    # ----------------------------------------------------------------------------------------
    {
        "title": "The scale of the problem",
        "slug": "scale-of-the-problem",
        "summary": "What the police figures gathered by the NSPCC tell us, and how to read them honestly.",
        "minutes": 15,
        "sensitive": True,
        "content_note": (
            "This lesson looks at crimes involving child sexual abuse images through figures only, "
            "with no descriptions of abuse. You can pause at any time and your progress is kept."
        ),
        "body": [
            (
                "paragraph",
                "<p>Each year the NSPCC asks every police force in the UK, under the Freedom of "
                "Information Act, how many offences involving <strong>indecent images of "
                "children</strong> they recorded. Not every force answers, and the set of forces "
                "that does changes from year to year. Keep that in mind: it decides which figures "
                "can be compared.</p>",
            ),
            ("heading", {"text": "The headline figure for 2022/23", "level": "h2"}),
            (
                "statistic_callout",
                {
                    "statistic": "iic_uk_2022_23",
                    "context": (
                        "<p>These are crimes recorded by the police, not the number of children "
                        "harmed. Each one involved images of child sexual abuse being collected "
                        "or shared.</p>"
                    ),
                },
            ),
            ("heading", {"text": "Is it rising? Comparing like with like", "level": "h2"}),
            (
                "paragraph",
                "<p>To measure change fairly, the NSPCC compares only the police forces that "
                "answered in both of the years being compared. This is called a "
                "<em>like-for-like</em> comparison. The two rises below are measured this "
                "way.</p>",
            ),
            (
                "statistic_callout",
                {
                    "statistic": "iic_rise_2021_22_to_2022_23",
                    "context": "<p>A like-for-like rise over one year, across the same forces.</p>",
                },
            ),
            (
                "statistic_callout",
                {
                    "statistic": "iic_rise_2017_18_to_2022_23",
                    "context": (
                        "<p>A like-for-like rise over five years, across the same forces. The "
                        "NSPCC notes that 2017/18 was the year it first called for online safety "
                        "laws.</p>"
                    ),
                },
            ),
            ("heading", {"text": "Why the yearly totals cannot be compared directly", "level": "h3"}),
            (
                "statistic_callout",
                {
                    "statistic": "iic_uk_2021_22",
                    "context": (
                        "<p>This total comes from the previous year's request, when a different "
                        "set of forces answered. Setting it beside the 2022/23 total does "
                        "<strong>not</strong> show how much crime rose, and the gap between the "
                        "two totals will not match the like-for-like rise. Use the like-for-like "
                        "figures to talk about change.</p>"
                    ),
                },
            ),
            ("heading", {"text": "A different source: England and Wales, 2023/24", "level": "h2"}),
            (
                "statistic_callout",
                {
                    "statistic": "iic_england_wales_2023_24",
                    "context": (
                        "<p>This later figure comes from Home Office recorded crime data and "
                        "covers England and Wales only, not the whole UK. Because the source and "
                        "the area are different, it cannot be set against the NSPCC's UK "
                        "Freedom of Information totals above.</p>"
                    ),
                },
            ),
            (
                "key_point",
                {
                    "title": "What to take from this lesson",
                    "text": (
                        "<ul>"
                        "<li>Police record a very large number of child abuse image crimes every "
                        "year, and like-for-like comparisons show the number rising.</li>"
                        "<li>Always say which year, which area and which source a figure comes "
                        "from.</li>"
                        "<li>Totals from different years, forces or sources are not directly "
                        "comparable.</li>"
                        "<li>Behind every figure are real children. Your job is to notice and to "
                        "pass on concerns, not to investigate.</li>"
                        "</ul>"
                    ),
                },
            ),
            SIGNPOSTING_BLOCK,
        ],
    },
    # ----------------------------------------------------------------------------------------
    {
        "title": "Where it happens: platforms and end-to-end encryption",
        "slug": "platforms-and-encryption",
        "summary": "Which apps appear most often in police records, and why encrypted messaging matters.",
        "minutes": 20,
        "sensitive": False,
        "content_note": "",
        "body": [
            (
                "paragraph",
                "<p>When police record a child abuse image crime, they sometimes note the app or "
                "website involved. The figures in this lesson are shares of those offences only, "
                "not of every offence. They show that these crimes happen on the everyday apps "
                "that children and young people use.</p>",
            ),
            ("heading", {"text": "Platforms named in 2022/23", "level": "h2"}),
            (
                "statistic_callout",
                {
                    "statistic": "iic_snapchat_2022_23",
                    "context": "<p>Of the offences where police identified the platform.</p>",
                },
            ),
            (
                "statistic_callout",
                {
                    "statistic": "iic_meta_2022_23",
                    "context": "<p>Instagram, Facebook and WhatsApp taken together, all owned by Meta.</p>",
                },
            ),
            ("heading", {"text": "Platforms named in 2023/24", "level": "h2"}),
            (
                "statistic_callout",
                {
                    "statistic": "iic_platform_recorded_2023_24",
                    "context": (
                        "<p>The chart below shows the share for Snapchat and for each of Meta's apps.</p>"
                    ),
                },
            ),
            (
                "statistic_chart",
                {
                    "title": "Platforms recorded in UK child sexual abuse image crimes, 2023/24",
                    "caption": (
                        "Shares of the offences where police recorded the platform, from the "
                        "NSPCC's Freedom of Information request to UK forces. Instagram, Facebook "
                        "and WhatsApp are all owned by Meta. These are not shares of all "
                        "offences. Each year's figures come from a separate request, so compare "
                        "years with care."
                    ),
                    "statistics": [
                        "iic_snapchat_2023_24",
                        "iic_instagram_2023_24",
                        "iic_facebook_2023_24",
                        "iic_whatsapp_2023_24",
                    ],
                },
            ),
            ("heading", {"text": "What end-to-end encryption is", "level": "h2"}),
            (
                "paragraph",
                "<p><strong>End-to-end encryption</strong> (E2EE) scrambles a message so that only "
                "the sender and the person receiving it can read it. The company running the "
                "service cannot see what is inside. This protects privacy, but it also means the "
                "company cannot check private messages for known child sexual abuse material and "
                "report it to the authorities.</p>"
                "<p>Meta announced on 6 December 2023 that personal messages on Facebook and "
                "Messenger would be end-to-end encrypted by default.</p>",
            ),
            (
                "paragraph",
                "<p>Child protection organisations raised serious concerns:</p>"
                "<ul>"
                "<li>Childline heard that adults deliberately use encrypted private messaging "
                "apps to find and share abuse images.</li>"
                "<li>The NSPCC accused Meta of choosing to turn a blind eye to crimes against "
                "children.</li>"
                "<li>The National Crime Agency opposed the change. It estimated that default "
                "encryption would cost most of the reports of detected abuse that Facebook and "
                "Instagram pass to UK police.</li>"
                "<li>In February 2025 the NSPCC and other charities criticised Ofcom's illegal "
                "harms code for requiring removal of illegal content only where it is "
                "“technically feasible”, which they called a loophole for private "
                "messaging.</li>"
                "</ul>",
            ),
            (
                "statistic_callout",
                {
                    "statistic": "meta_csam_reports_2022",
                    "context": (
                        "<p>Reports from Facebook and Messenger in a single year, before default "
                        "encryption. This is the kind of detection that campaigners fear "
                        "encryption will reduce.</p>"
                    ),
                },
            ),
            (
                "quote",
                {
                    "quote": (
                        "It's alarming to see online child abuse continue to rise, especially when "
                        "tech companies should be acting to make their sites safe by design ahead "
                        "of incoming regulation."
                    ),
                    "attribution": (
                        "Sir Peter Wanless, then chief executive of the NSPCC, March 2024 "
                        "(as reported by FamilyLaw)"
                    ),
                    "source_url": (
                        "https://www.familylaw.co.uk/news_and_comment/"
                        "nspcc-calls-on-ofcom-tech-companies-to-take-action-against-child-abuse-image-crimes"
                    ),
                },
            ),
            (
                "key_point",
                {
                    "title": "What this means for you",
                    "text": (
                        "<p>Abuse happens on the same apps children use every day, and some of "
                        "it in private messages that even the platform cannot see. You will "
                        "rarely see it "
                        "happen: what you may notice is a change in a child. Ask children which "
                        "apps they use, take what they tell you seriously, and pass any concern "
                        "to your DSL.</p>"
                    ),
                },
            ),
        ],
    },
    # ----------------------------------------------------------------------------------------
    {
        "title": "How offenders target children: grooming and sextortion",
        "slug": "grooming-and-sextortion",
        "summary": "What grooming and sextortion are, signs to notice and how to respond to a child.",
        "minutes": 20,
        "sensitive": True,
        "content_note": (
            "This lesson explains how offenders groom and blackmail children. It is written in "
            "general terms with no graphic detail, and you can pause and come back at any time."
        ),
        "body": [
            (
                "paragraph",
                "<p>Offenders who target children often begin by making contact and building "
                "trust. Knowing the pattern helps you notice when something is wrong and respond "
                "in a way that keeps the child safe.</p>",
            ),
            ("heading", {"text": "What grooming is", "level": "h2"}),
            (
                "paragraph",
                "<p><strong>Grooming</strong> is when someone builds an emotional connection with "
                "a child to gain their trust, so that they can sexually abuse, sexually exploit or "
                "traffic them. It can happen online or face to face. The person may be a stranger "
                "or someone the child already knows, such as a family member, a friend or a "
                "professional. Groomers can be any age and any sex.</p>"
                "<p>Many children do not realise they have been groomed. They may see the "
                "offender as a friend, a boyfriend or girlfriend, or someone who understands "
                "them.</p>",
            ),
            (
                "paragraph",
                "<p>In England and Wales it is a crime for an adult to communicate sexually with a "
                "child under 16, even if they never meet. Meeting a child after grooming them, and "
                "arranging or helping with a child sex offence, are also crimes.</p>",
            ),
            (
                "key_point",
                {
                    "title": "Signs that may point to grooming",
                    "text": (
                        "<p>None of these proves anything on its own, and each can have an "
                        "innocent reason. Together, or alongside other worries, they are worth "
                        "passing on.</p>"
                        "<ul>"
                        "<li>Being secretive about who they talk to online, or hiding their "
                        "screen.</li>"
                        "<li>A new friend, often older, whom they will not talk about, or who "
                        "“understands them better than anyone”.</li>"
                        "<li>Gifts, money, phone credit or a second phone they cannot explain.</li>"
                        "<li>Seeming upset, anxious, withdrawn or frightened after being "
                        "online.</li>"
                        "<li>Sudden changes in mood, sleep, friendships or school work.</li>"
                        "</ul>"
                        "<p>Your role is to notice and tell your DSL, not to investigate.</p>"
                    ),
                },
            ),
            ("heading", {"text": "Sextortion", "level": "h2"}),
            (
                "paragraph",
                "<p><strong>Sextortion</strong> (financially motivated sexual extortion) is when "
                "an offender threatens to share nude or semi-nude images of a child unless the "
                "child pays money or meets another financial demand, such as buying gift cards. "
                "The images may be real or faked by the offender. It is a form of child sexual "
                "abuse.</p>"
                "<p>Offenders are mostly organised crime groups based overseas, especially in "
                "West Africa and some in South-East Asia. Any child can be targeted, but many "
                "victims are <strong>boys aged 14 to 18</strong>. On 29 April 2024 the National "
                "Crime Agency sent an alert about sextortion to education professionals across "
                "the UK.</p>",
            ),
            (
                "statistic_chart",
                {
                    "title": "Sextortion reports to NCMEC, worldwide",
                    "caption": (
                        "Reports made to the US National Center for Missing & Exploited Children "
                        "from around the world, by calendar year. These count reports, not "
                        "children, and are not UK figures."
                    ),
                    "statistics": [
                        "ncmec_sextortion_reports_2022",
                        "ncmec_sextortion_reports_2023",
                    ],
                },
            ),
            (
                "statistic_callout",
                {
                    "statistic": "iwf_sextortion_male_2023",
                    "context": (
                        "<p>Boys and young men may find it especially hard to ask for help. Make "
                        "sure they know that they can.</p>"
                    ),
                },
            ),
            (
                "statistic_callout",
                {
                    "statistic": "childline_blackmail_sessions_2023_24",
                    "context": (
                        "<p>Children do reach out. Childline is free and confidential, and you can "
                        "give any child its number.</p>"
                    ),
                },
            ),
            (
                "key_point",
                {
                    "title": "If a child tells you they are being blackmailed",
                    "text": (
                        "<ul>"
                        "<li>Stay calm. Tell them they have done the right thing and that they "
                        "are <strong>never to blame</strong>: the offender is.</li>"
                        "<li>The advice for the child is: <strong>don't pay, stop contact, block "
                        "the account, and report it</strong>.</li>"
                        "<li>Do not look at, copy or forward any image.</li>"
                        "<li>Tell your DSL immediately. If the child is in immediate danger, call "
                        "999.</li>"
                        "<li>Report Remove, from Childline and the Internet Watch Foundation, can "
                        "help a young person under 18 get nude images of themselves taken "
                        "down.</li>"
                        "</ul>"
                    ),
                },
            ),
            SIGNPOSTING_BLOCK,
        ],
    },
    # ----------------------------------------------------------------------------------------
    {
        "title": "The law and the regulator: the Online Safety Act 2023 and Ofcom",
        "slug": "law-and-regulator",
        "summary": (
            "What the Online Safety Act requires of online services, what Ofcom does, and the "
            "right words to use."
        ),
        "minutes": 15,
        "sensitive": False,
        "content_note": "",
        "body": [
            (
                "paragraph",
                "<p>You do not need to know the law in detail, but knowing what online services "
                "must now do, and the correct terms for this kind of abuse, will help you talk "
                "about it clearly with colleagues, parents and children.</p>",
            ),
            ("heading", {"text": "The Online Safety Act 2023", "level": "h2"}),
            (
                "paragraph",
                "<p>The Online Safety Act received Royal Assent on <strong>26 October "
                "2023</strong>. It puts legal duties on online services, such as social media, "
                "messaging and file-sharing sites, to deal with illegal content and to protect "
                "children. <strong>Ofcom</strong> became the online safety regulator the same "
                "day.</p>"
                '<p><a href="https://ofcom.org.uk/online-safety/illegal-and-harmful-content/'
                'tech-firms-must-clamp-down-on-illegal-online-materials/">Ofcom</a> writes codes '
                "of practice and makes sure services follow them. It does not rule on individual "
                "posts or handle individual complaints, so concerns about a child still go "
                "through the reporting routes in the final lesson.</p>",
            ),
            ("heading", {"text": "Key dates", "level": "h3"}),
            (
                "paragraph",
                "<ul>"
                "<li><strong>16 December 2024:</strong> Ofcom publishes its final illegal harms "
                "codes.</li>"
                "<li><strong>17 March 2025:</strong> the illegal content safety duties become "
                "enforceable. From this date, all file-storage and file-sharing services, whatever "
                "their size, must use hash-matching to detect known child sexual abuse "
                "material.</li>"
                "<li><strong>24 April 2025:</strong> Ofcom publishes the final Protection of "
                "Children Codes.</li>"
                "<li><strong>25 July 2025:</strong> services must follow the Protection of "
                "Children Codes or use other effective measures, and services that allow "
                "pornography must have highly effective age assurance in place.</li>"
                "<li><strong>3 November 2025:</strong> user-to-user services must report child "
                "sexual exploitation and abuse content to the National Crime Agency.</li>"
                "</ul>",
            ),
            (
                "paragraph",
                "<p>The Protection of Children Codes set out practical measures such as safer "
                "feeds, age checks, moderation, clear reporting and complaints, and good "
                "governance. Platforms must stop children reaching content about pornography, "
                "self-harm, suicide and eating disorders, and must give parents and children clear "
                "ways to report problems.</p>",
            ),
            (
                "paragraph",
                "<p>Ofcom can fine a company up to <strong>£18 million or 10% of its qualifying "
                "worldwide revenue, whichever is greater</strong>. In some circumstances senior "
                "managers can be held criminally liable, and Ofcom can ask a court to block or "
                "withdraw a service.</p>",
            ),
            ("heading", {"text": "Using the right words", "level": "h2"}),
            (
                "paragraph",
                "<p>The legal term in England and Wales is <strong>indecent photographs or "
                "pseudo-photographs of children</strong>, usually called <strong>indecent images "
                "of children</strong>. It is an offence to take, make, share, show or possess "
                "them. For these offences a <strong>child means anyone under 18</strong>.</p>"
                "<p>A pseudo-photograph is a computer-made image that looks like a photograph, so "
                "images made with artificial intelligence (AI) can be illegal too. The chart "
                "below shows reports of AI-generated material to the Internet Watch "
                "Foundation.</p>",
            ),
            (
                "statistic_chart",
                {
                    "title": "AI-generated child sexual abuse material reported to the IWF",
                    "caption": (
                        "Reports the Internet Watch Foundation assessed as actionable, by calendar "
                        "year. These are reports from around the world, not UK cases only."
                    ),
                    "statistics": ["iwf_ai_csam_2023", "iwf_ai_csam_2024"],
                },
            ),
            (
                "key_point",
                {
                    "title": "Say “child sexual abuse material”, never “child pornography”",
                    "text": (
                        "<p>Use <strong>child sexual abuse material</strong> (CSAM) or "
                        "<strong>indecent images of children</strong>. International terminology "
                        "guidelines agreed in 2016 by organisations including INTERPOL and ECPAT "
                        "advise against “child pornography”, because it trivialises "
                        "abuse and suggests consent or legitimacy. A child can never consent to "
                        'their own abuse. <a href="https://www.interpol.int/Crimes/'
                        "Crimes-against-children/Appropriate-terminology\">Read INTERPOL's "
                        "guidance on terminology</a>.</p>"
                        "<p>When young people under 18 share images of themselves, UK education "
                        "guidance calls this <strong>sharing nudes and semi-nudes</strong>, rather "
                        "than “sexting”.</p>"
                    ),
                },
            ),
        ],
    },
    # ----------------------------------------------------------------------------------------
    {
        "title": "What you must do",
        "slug": "what-you-must-do",
        "summary": (
            "The reporting rule, where to report, how to record a concern, and the 4 Cs of online risk."
        ),
        "minutes": 20,
        "sensitive": False,
        "content_note": "",
        "body": [
            (
                "paragraph",
                "<p>This lesson sets out what every member of staff must do if they are worried "
                "about a child online, or if they find out that an image of a child may have been "
                "shared. It follows the UK Council for Internet Safety's advice for education "
                "settings and your own setting's child protection policy, which always comes "
                "first.</p>",
            ),
            (
                "key_point",
                {
                    "title": "The rule: never view, copy or share",
                    "text": (
                        "<p><strong>Never view, copy, print, share, store or save</strong> an "
                        "indecent image of a child, and never ask a child to share or download "
                        "one. Doing so is illegal, even if you mean to help or to keep evidence.</p>"
                        "<p>In exceptional cases, only the DSL may need to view an image, to "
                        "safeguard the child.</p>"
                    ),
                },
            ),
            ("heading", {"text": "When you have a concern", "level": "h2"}),
            (
                "paragraph",
                "<ol>"
                "<li>If a child is in <strong>immediate danger</strong>, call <strong>999"
                "</strong>. Don't delay.</li>"
                "<li>Tell your <strong>DSL immediately</strong> and follow your setting's child "
                "protection policy. If you are a childminder, you are the DSL.</li>"
                "<li>If a child has told you, stay calm, listen, and reassure them that they have "
                "done the right thing and are not to blame.</li>"
                "<li>If an adult has shared or asked for nude images of anyone under 18, that is "
                "child sexual abuse: it must be referred to the police urgently.</li>"
                "</ol>"
                '<p>Read the <a href="https://gov.uk/government/publications/'
                "sharing-nudes-and-semi-nudes-advice-for-education-settings-working-with-children-"
                "and-young-people/sharing-nudes-and-semi-nudes-how-to-respond-to-an-incident-"
                'overview">one-page overview for staff on responding to an incident</a>.</p>',
            ),
            (
                "quote",
                {
                    "quote": "You should never view the image.",
                    "attribution": "NSPCC Learning, advice to professionals supporting a young person "
                    "to use Report Remove",
                    "source_url": "https://learning.nspcc.org.uk/research-resources/report-remove",
                },
            ),
            ("heading", {"text": "Reporting routes", "level": "h2"}),
            (
                "paragraph",
                "<p>Your DSL decides who to involve. These services are there for you, the DSL and "
                "the children and families you support:</p>"
                "<ul>"
                '<li><a href="https://ceop.police.uk/Safety-Centre/How-can-CEOP-help-me-YP/'
                'How-can-CEOP-help-me-concerned-adult">CEOP Safety Centre</a>, part of the '
                "National Crime Agency, takes reports of online sexual abuse and grooming. "
                "Professionals can use the form, and a Child Protection Advisor reads every "
                "report.</li>"
                '<li>The <a href="https://www.iwf.org.uk/report">Internet Watch Foundation</a> '
                "takes anonymous reports of child sexual abuse material online. You only need "
                "the web address: never save, screenshot or send the material, even to warn "
                "others.</li>"
                '<li><a href="https://www.iwf.org.uk/what-we-do/why-we-exist/report-remove">'
                "Report Remove</a>, from Childline and the IWF, lets a young person under 18 "
                "report nude images or videos of themselves so they can be taken down and "
                "blocked from being uploaded again.</li>"
                "</ul>",
            ),
            (
                "statistic_callout",
                {
                    "statistic": "iwf_confirmed_reports_2024",
                    "context": (
                        "<p>Reports from the public help the IWF find this material and get it "
                        "removed, wherever in the world it is hosted.</p>"
                    ),
                },
            ),
            (
                "statistic_callout",
                {
                    "statistic": "report_remove_assessed_2024",
                    "context": (
                        "<p>Young people are using Report Remove themselves. Make sure the "
                        "children you work with know it exists.</p>"
                    ),
                },
            ),
            ("heading", {"text": "Recording your concern", "level": "h2"}),
            (
                "paragraph",
                "<p>Write down your concern as soon as you can, using your setting's system. "
                "Record the facts: what you saw or heard, the child's own words, the date and "
                "time, who you told and what happened next. Keep to what you know and do not add "
                "opinions. <strong>Never attach or keep a copy of an image</strong>: describe "
                "where it was, for example a web address or an app, not what it showed.</p>"
                "<p>In early years settings, your safeguarding policy must also cover the use of "
                "mobile phones and cameras. Follow it every day, not only when something goes "
                "wrong.</p>",
            ),
            ("heading", {"text": "The 4 Cs of online risk", "level": "h2"}),
            (
                "paragraph",
                "<p>Keeping Children Safe in Education groups online risks into four areas. They "
                "are a useful way to think about what a child might be facing:</p>"
                "<ul>"
                "<li><strong>Content:</strong> seeing illegal, inappropriate or harmful material, "
                "such as pornography, self-harm, extremism, misinformation and conspiracy "
                "theories.</li>"
                "<li><strong>Contact:</strong> harmful contact with other people online, "
                "including adults pretending to be children in order to groom or exploit "
                "them.</li>"
                "<li><strong>Conduct:</strong> behaviour online that increases the risk of harm "
                "or causes it, such as making, sending or receiving explicit images, or online "
                "bullying.</li>"
                "<li><strong>Commerce:</strong> risks such as online gambling, inappropriate "
                "advertising, phishing and financial scams.</li>"
                "</ul>",
            ),
            SIGNPOSTING_BLOCK,
        ],
    },
]
