"""Demo question bank for the "Online safety" module quiz.

Pure data (it imports only shared source names from content.py). Every fact tested here is in
content/facts.md (none marked UNCONFIRMED).

- "lesson" is the slug of the lesson a question tests (cms/demo/content.py LESSONS).
- Statistics questions name a key from cms/demo/content.py STATISTICS. Their stems use only the
  {period}, {geography} and {label} placeholders and never state the figure: the platform builds
  the answer choices from the statistic's current value. Their explanations may also use {value}.
- Other questions contain no curly braces at all.
- Terminology: "child sexual abuse material" or "indecent images of children"; "child pornography"
  appears only, in quotation marks, as the wrong answer to the terminology question.
"""

from cms.demo.content import (
    NCA_ALERT_TITLE,
    NCA_ALERT_URL,
    NSPCC_2024_TITLE,
    NSPCC_2024_URL,
    NSPCC_2025_TITLE,
    NSPCC_2025_URL,
)

# Sources used more than once (the NSPCC and NCA ones are shared with the lessons).
UKCIS_OVERVIEW_TITLE = (
    "UKCIS: Sharing nudes and semi-nudes, how to respond to an incident (overview for all staff)"
)
UKCIS_OVERVIEW_URL = (
    "https://gov.uk/government/publications/"
    "sharing-nudes-and-semi-nudes-advice-for-education-settings-working-with-children-and-young-people/"
    "sharing-nudes-and-semi-nudes-how-to-respond-to-an-incident-overview"
)
GROOMING_TITLE = "Gwent Safeguarding Board: What is grooming?"
GROOMING_URL = (
    "https://www.gwentsafeguarding.org.uk/en/safeguarding-children/professionals/what-is-abuse/grooming"
)
OFCOM_TITLE = "Ofcom: Tech firms must clamp down on illegal online materials"
OFCOM_URL = (
    "https://ofcom.org.uk/online-safety/illegal-and-harmful-content/"
    "tech-firms-must-clamp-down-on-illegal-online-materials/"
)
PCA_1978_TITLE = "Protection of Children Act 1978, section 1 (legislation.gov.uk)"
PCA_1978_URL = "https://www.legislation.gov.uk/ukpga/1978/37/section/1"
IWF_REPORT_TITLE = "Internet Watch Foundation: Report child sexual abuse material"
IWF_REPORT_URL = "https://www.iwf.org.uk/report"

QUIZ = {
    "title": "Online safety quiz",
    "slug": "quiz",
    "intro": (
        "<p>This quiz checks what you have learned in the Online safety module: how to read the "
        "figures honestly, where and how children are harmed online, what the law and Ofcom "
        "require, and what you must do when you are worried about a child.</p>"
        "<p>Take your time. After you submit your answers you will see which were right, a short "
        "explanation of each, and the lesson to revisit for any you missed.</p>"
    ),
}

QUESTIONS = [
    # --- Lesson 1: the scale of the problem -------------------------------------------------------
    {
        "lesson": "scale-of-the-problem",
        "kind": "single",
        "statistic": "iic_uk_2022_23",
        "stem": "In {period}, about how many child abuse image crimes did police record ({geography})?",
        "explanation": (
            "The NSPCC's Freedom of Information request found that police recorded {value} offences "
            "in {period} in which child abuse images were collected and shared ({geography}). "
            "Whenever you quote a figure, say which period, area and source it comes from."
        ),
    },
    {
        "lesson": "scale-of-the-problem",
        "kind": "single",
        "statistic": "iic_rise_2021_22_to_2022_23",
        "stem": (
            "Comparing only the police forces that gave figures for both years, by about what "
            "percentage did child abuse image crimes rise from {period}?"
        ),
        "explanation": (
            "The NSPCC reported a like-for-like rise of {value} from {period} ({geography}). "
            "This is not the same as the gap between the two years' headline totals, which came "
            "from different sets of forces."
        ),
    },
    {
        "lesson": "scale-of-the-problem",
        "kind": "true_false",
        "stem": (
            "The NSPCC's UK totals for 2021/22 and 2022/23 can be compared directly to measure how "
            "much child abuse image crimes rose."
        ),
        "answer": False,
        "explanation": (
            "A different set of police forces answered the NSPCC's request each year, so the two "
            "totals are not directly comparable. To measure change, the NSPCC uses like-for-like "
            "figures that compare only the forces that supplied data in both years."
        ),
        "source_title": NSPCC_2024_TITLE,
        "source_url": NSPCC_2024_URL,
    },
    {
        "lesson": "scale-of-the-problem",
        "kind": "single",
        "stem": "What does it mean when the NSPCC calls a rise in child abuse image crimes 'like for like'?",
        "choices": [
            ("It compares only the police forces that supplied figures in both years", True),
            ("It compares the headline UK totals from the two years", False),
            ("It counts only crimes that led to a conviction", False),
            ("It adds Home Office figures to the Freedom of Information figures", False),
        ],
        "explanation": (
            "A like-for-like comparison uses only the forces that answered in both years being "
            "compared, so changes in which forces responded do not distort the result."
        ),
        "source_title": NSPCC_2024_TITLE,
        "source_url": NSPCC_2024_URL,
    },
    {
        "lesson": "scale-of-the-problem",
        "kind": "multiple",
        "stem": (
            "Which of these statements about the police figures in this module are accurate? "
            "Select all that apply."
        ),
        "choices": [
            ("The set of police forces answering the NSPCC's request changes from year to year", True),
            ("The like-for-like rises compare only forces that supplied figures in both years", True),
            ("The 2023/24 England and Wales figure comes from Home Office recorded crime data", True),
            ("The 2023/24 England and Wales figure can be set against the earlier UK totals", False),
            ("Every UK total in the series comes from the same set of police forces", False),
        ],
        "explanation": (
            "The UK totals come from whichever forces answered the NSPCC's Freedom of Information "
            "request each year, and the later England and Wales figure comes from a different "
            "source and area. Only the like-for-like rises measure change fairly."
        ),
        "source_title": NSPCC_2025_TITLE,
        "source_url": NSPCC_2025_URL,
    },
    # --- Lesson 2: platforms and end-to-end encryption ---------------------------------------------
    {
        "lesson": "platforms-and-encryption",
        "kind": "single",
        "statistic": "iic_snapchat_2022_23",
        "stem": (
            "In {period}, about what share of the child abuse image crimes where police identified "
            "the platform involved Snapchat?"
        ),
        "explanation": (
            "Snapchat was named in {value} of these offences in {period}, which the NSPCC "
            "described as almost half. It is a share of the offences where the platform was "
            "known, not of all offences."
        ),
    },
    {
        "lesson": "platforms-and-encryption",
        "kind": "single",
        "statistic": "iic_meta_2022_23",
        "stem": (
            "In {period}, about what share of the child abuse image crimes where police identified "
            "the platform involved Meta's apps (Instagram, Facebook and WhatsApp together)?"
        ),
        "explanation": (
            "Meta's apps together accounted for {value} of these offences in {period}, which the "
            "NSPCC described as a quarter. Like Snapchat's share, it counts only the offences where "
            "the platform was known."
        ),
    },
    {
        "lesson": "platforms-and-encryption",
        "kind": "single",
        "statistic": "meta_csam_reports_2022",
        "stem": (
            "In {period}, about how many incidents of child sexual abuse material being shared on "
            "Facebook and Messenger did Meta report ({geography})?"
        ),
        "explanation": (
            "The US National Center for Missing & Exploited Children says Meta reported {value} "
            "such incidents in {period}, before it switched on default end-to-end encryption for "
            "personal messages. Campaigners fear that encryption will reduce this kind of detection."
        ),
    },
    {
        "lesson": "platforms-and-encryption",
        "kind": "true_false",
        "stem": (
            "The platform shares in the NSPCC's figures are percentages of all child abuse image "
            "crimes recorded by police."
        ),
        "answer": False,
        "explanation": (
            "Police record the app or website for only some offences. The platform shares are "
            "percentages of those offences, not of every offence recorded."
        ),
        "source_title": NSPCC_2025_TITLE,
        "source_url": NSPCC_2025_URL,
    },
    {
        "lesson": "platforms-and-encryption",
        "kind": "single",
        "stem": (
            "Why are child protection organisations worried about end-to-end encryption being "
            "switched on by default in messaging apps?"
        ),
        "choices": [
            (
                "The company cannot see inside private messages, so it cannot detect and report "
                "known child sexual abuse material sent in them",
                True,
            ),
            ("It makes private messages visible to anyone who uses the app", False),
            ("It deletes messages automatically once they have been read", False),
            ("It stops parents from setting up parental controls on the app", False),
        ],
        "explanation": (
            "With end-to-end encryption only the sender and the recipient can read a message. The "
            "National Crime Agency estimated that Meta's default encryption would cost most of the "
            "reports of detected abuse that Facebook and Instagram pass to UK police."
        ),
        "source_title": "NCPTF: Response to Meta's rollout of end-to-end encryption",
        "source_url": "https://ncptf.org/ncptfs-response-to-metas-rollout-of-end-to-end-encryption/",
    },
    {
        "lesson": "platforms-and-encryption",
        "kind": "true_false",
        "stem": (
            "Childline has heard that adults deliberately use end-to-end encrypted private "
            "messaging apps to find and share child abuse images."
        ),
        "answer": True,
        "explanation": (
            "The NSPCC reported this Childline insight alongside its police figures, and called on "
            "tech companies and Ofcom to take stronger action."
        ),
        "source_title": NSPCC_2024_TITLE,
        "source_url": NSPCC_2024_URL,
    },
    {
        "lesson": "platforms-and-encryption",
        "kind": "single",
        "stem": (
            "Which organisation opposed Meta's move to default end-to-end encryption, warning that "
            "it would cost most of the abuse reports Facebook and Instagram pass to UK police?"
        ),
        "choices": [
            ("The National Crime Agency", True),
            ("Ofcom", False),
            ("Childline", False),
            ("Ofsted", False),
        ],
        "explanation": (
            "The National Crime Agency opposed the change. It estimated that default encryption "
            "would cost most of the detected-abuse reports passed to UK police from Facebook and "
            "from Instagram."
        ),
        "source_title": "NCPTF: Response to Meta's rollout of end-to-end encryption",
        "source_url": "https://ncptf.org/ncptfs-response-to-metas-rollout-of-end-to-end-encryption/",
    },
    # --- Lesson 3: grooming and sextortion -----------------------------------------------------------
    {
        "lesson": "grooming-and-sextortion",
        "kind": "multiple",
        "stem": (
            "A 15-year-old tells you someone online is threatening to share a nude image of them "
            "unless they pay. What should you tell them? Select all that apply."
        ),
        "choices": [
            ("Don't pay the person anything", True),
            ("Stop all contact with the person and block their account", True),
            ("This is not your fault: you are not to blame", True),
            ("We will report this and get you help", True),
            ("Pay a small amount to buy some time", False),
            ("Send the image to me so I can see how serious it is", False),
        ],
        "explanation": (
            "The advice is don't pay, stop contact, block and report, and the child is never to "
            "blame. Never ask a child to send you an image, and tell your DSL straight away."
        ),
        "source_title": NCA_ALERT_TITLE,
        "source_url": NCA_ALERT_URL,
    },
    {
        "lesson": "grooming-and-sextortion",
        "kind": "true_false",
        "stem": (
            "A young person who was tricked into sending an image is partly to blame if they are "
            "then blackmailed with it."
        ),
        "answer": False,
        "explanation": (
            "Sextortion is a form of child sexual abuse, and the child is never to blame: the "
            "offender is. Reassure them that they have done the right thing by telling you."
        ),
        "source_title": NCA_ALERT_TITLE,
        "source_url": NCA_ALERT_URL,
    },
    {
        "lesson": "grooming-and-sextortion",
        "kind": "single",
        "stem": "Which statement about grooming is accurate?",
        "choices": [
            ("It can happen online or face to face, by a stranger or by someone the child knows", True),
            ("Only strangers groom children", False),
            ("It only happens online", False),
            ("Children always realise when they are being groomed", False),
        ],
        "explanation": (
            "Grooming is building an emotional connection with a child to gain their trust for "
            "sexual abuse, exploitation or trafficking. Groomers can be any age or sex, may be known "
            "to the child, and many children do not realise they have been groomed."
        ),
        "source_title": GROOMING_TITLE,
        "source_url": GROOMING_URL,
    },
    {
        "lesson": "grooming-and-sextortion",
        "kind": "single",
        "stem": (
            "Any child can be targeted by financially motivated sextortion. Which group does the "
            "National Crime Agency say many victims come from?"
        ),
        "choices": [
            ("Boys aged 14 to 18", True),
            ("Girls aged 8 to 11", False),
            ("Children under 5", False),
        ],
        "explanation": (
            "The National Crime Agency's alert to UK education professionals says that many "
            "victims are boys aged 14 to 18. Offenders are mostly organised crime groups based "
            "overseas."
        ),
        "source_title": NCA_ALERT_TITLE,
        "source_url": NCA_ALERT_URL,
    },
    {
        "lesson": "grooming-and-sextortion",
        "kind": "true_false",
        "stem": (
            "In England and Wales it is a crime for an adult to communicate sexually with a child "
            "under 16, even if they never meet."
        ),
        "answer": True,
        "explanation": (
            "Sexual communication with a child is an offence under the Sexual Offences Act 2003. "
            "Meeting a child after grooming them, and arranging or helping with a child sex offence, "
            "are separate crimes."
        ),
        "source_title": GROOMING_TITLE,
        "source_url": GROOMING_URL,
    },
    # --- Lesson 4: the law and the regulator ----------------------------------------------------------
    {
        "lesson": "law-and-regulator",
        "kind": "single",
        "stem": "Which body regulates online services under the Online Safety Act 2023?",
        "choices": [
            ("Ofcom", True),
            ("Ofsted", False),
            ("The Information Commissioner's Office", False),
            ("The NSPCC", False),
        ],
        "explanation": (
            "Ofcom became the online safety regulator when the Act received Royal Assent. It sets "
            "codes of practice and makes sure services follow them."
        ),
        "source_title": OFCOM_TITLE,
        "source_url": OFCOM_URL,
    },
    {
        "lesson": "law-and-regulator",
        "kind": "true_false",
        "stem": "The Online Safety Act 2023 received Royal Assent on 26 October 2023.",
        "answer": True,
        "explanation": (
            "The Act received Royal Assent on 26 October 2023, and Ofcom's powers as the online "
            "safety regulator started that day."
        ),
        "source_title": "Bird & Bird: UK Online Safety Act tracker",
        "source_url": (
            "https://cm.twobirds.com/en/trending-topics/digital-services-act-tracker-and-uk-online-safety-act/uk"
        ),
    },
    {
        "lesson": "law-and-regulator",
        "kind": "true_false",
        "stem": (
            "If a parent is worried about a particular post involving their child, Ofcom will "
            "investigate their individual complaint."
        ),
        "answer": False,
        "explanation": (
            "Ofcom sets codes of practice and enforces them, but it does not rule on individual "
            "posts or handle individual complaints. Concerns about a child go to your DSL and the "
            "usual reporting routes."
        ),
        "source_title": OFCOM_TITLE,
        "source_url": OFCOM_URL,
    },
    {
        "lesson": "law-and-regulator",
        "kind": "single",
        "stem": "Which term should you use when talking about sexual images of children?",
        "choices": [
            ("Child sexual abuse material, or indecent images of children", True),
            ("'Child pornography'", False),
            ("'Adult content involving minors'", False),
            ("'Explicit selfies'", False),
        ],
        "explanation": (
            "International terminology guidelines agreed in 2016 advise against 'child pornography' "
            "because it trivialises abuse and suggests consent or legitimacy. The UK legal term is "
            "indecent images of children."
        ),
        "source_title": "INTERPOL: Appropriate terminology",
        "source_url": "https://www.interpol.int/Crimes/Crimes-against-children/Appropriate-terminology",
    },
    {
        "lesson": "law-and-regulator",
        "kind": "true_false",
        "stem": "For offences involving indecent images of children, a 'child' means anyone under 16.",
        "answer": False,
        "explanation": (
            "For these offences a child means anyone under 18. The age was raised from 16 by the "
            "Sexual Offences Act 2003."
        ),
        "source_title": PCA_1978_TITLE,
        "source_url": PCA_1978_URL,
    },
    {
        "lesson": "law-and-regulator",
        "kind": "true_false",
        "stem": (
            "A computer-made image that looks like a photograph of child sexual abuse cannot be "
            "illegal, because no real photograph was taken."
        ),
        "answer": False,
        "explanation": (
            "The law covers pseudo-photographs: computer-made images that appear to be photographs. "
            "This means images made with artificial intelligence can be illegal too."
        ),
        "source_title": PCA_1978_TITLE,
        "source_url": PCA_1978_URL,
    },
    # --- Lesson 5: what you must do --------------------------------------------------------------------
    {
        "lesson": "what-you-must-do",
        "kind": "single",
        "stem": "A child shows you a nude image of a classmate on their phone. What do you do first?",
        "choices": [
            ("Tell the DSL straight away and follow the child protection policy", True),
            ("Forward it to your own phone so you have evidence", False),
            ("Look through the rest of the phone to find out who else has it", False),
            ("Ask the child to delete it and deal with it at the end of the day", False),
        ],
        "explanation": (
            "UKCIS advice is to report the incident to the DSL immediately and follow your child "
            "protection policy. Never view, copy, share or save the image yourself, so do not "
            "search the phone or forward anything."
        ),
        "source_title": UKCIS_OVERVIEW_TITLE,
        "source_url": UKCIS_OVERVIEW_URL,
    },
    {
        "lesson": "what-you-must-do",
        "kind": "multiple",
        "stem": (
            "Which of these must you never do with an indecent image of a child? Select all that apply."
        ),
        "choices": [
            ("View it", True),
            ("Take a screenshot or copy of it as evidence", True),
            ("Print it out for the child's file", True),
            ("Ask the child to send or download it for you", True),
            ("Tell the DSL immediately", False),
            ("Record where you were told it was, such as the app, without opening it", False),
        ],
        "explanation": (
            "Never view, copy, print, share, store or save the image, or ask a child to share or "
            "download it: doing so is illegal. Tell the DSL immediately and record the facts, not "
            "the image."
        ),
        "source_title": UKCIS_OVERVIEW_TITLE,
        "source_url": UKCIS_OVERVIEW_URL,
    },
    {
        "lesson": "what-you-must-do",
        "kind": "true_false",
        "stem": "If a child is in immediate danger, you should call 999 straight away.",
        "answer": True,
        "explanation": (
            "The NSPCC's advice is not to delay: call the police on 999 if a child is in immediate "
            "danger, then tell your DSL."
        ),
        "source_title": "NSPCC: Report child abuse",
        "source_url": "https://www.nspcc.org.uk/what-you-can-do/report-abuse/",
    },
    {
        "lesson": "what-you-must-do",
        "kind": "single",
        "stem": (
            "You learn that an adult has been sharing nude images of a 16-year-old. How must this be treated?"
        ),
        "choices": [
            ("As child sexual abuse, referred to the police urgently", True),
            ("As a nude-sharing incident between young people, handled within the setting", False),
            ("As lawful, because the young person is over the age of consent", False),
            ("As a complaint for Ofcom to investigate", False),
        ],
        "explanation": (
            "UKCIS advice on sharing nudes covers under-18s only. An adult sharing nude images of "
            "anyone under 18 is child sexual abuse and must be referred to the police urgently."
        ),
        "source_title": UKCIS_OVERVIEW_TITLE,
        "source_url": UKCIS_OVERVIEW_URL,
    },
    {
        "lesson": "what-you-must-do",
        "kind": "single",
        "stem": (
            "In the 4 Cs of online risk in Keeping Children Safe in Education, which area covers "
            "adults posing as children in order to groom them?"
        ),
        "choices": [
            ("Contact", True),
            ("Content", False),
            ("Conduct", False),
            ("Commerce", False),
        ],
        "explanation": (
            "Contact means harmful interaction with other users, including adults posing as "
            "children to groom or exploit them. Content is harmful material, conduct is behaviour "
            "that causes or increases harm, and commerce covers risks such as gambling and scams."
        ),
        "source_title": "The Education People (Kent County Council): Online safety",
        "source_url": (
            "https://www.theeducationpeople.org/our-expertise/partner-providers/"
            "kent-county-council-providers/safeguarding/online-safety/"
        ),
    },
    {
        "lesson": "what-you-must-do",
        "kind": "single",
        "stem": (
            "You come across a web page showing child sexual abuse material. Where can you report "
            "it anonymously, giving only the web address?"
        ),
        "choices": [
            ("The Internet Watch Foundation", True),
            ("Ofcom", False),
            ("Childline", False),
            ("The police, by emailing them a screenshot of the page", False),
        ],
        "explanation": (
            "The Internet Watch Foundation takes anonymous reports and needs only the web address. "
            "Never save, screenshot or send the material, even to warn others: that is illegal. "
            "Tell your DSL too."
        ),
        "source_title": IWF_REPORT_TITLE,
        "source_url": IWF_REPORT_URL,
    },
]
