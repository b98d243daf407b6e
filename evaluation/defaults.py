"""The surveys every programme starts with, in French and English. Coordinators edit them per
programme. ``measures`` ties a question to a KPI (satisfaction); recommendation and skill
questions feed theirs by their type."""

S, R, SELF, MENTOR, SINGLE, MULTI, TEXT = "scale", "recommend", "skill_self", "skill_mentor", "single", "multiple", "text"

# (moment, audience): (title fr, title en, intro fr, intro en, [(kind, fr, en, choices, required, measures)])
TEMPLATES = {
    ("baseline", "mentee"): (
        "Point de départ", "Starting point",
        "Trois minutes pour situer où vous en êtes. Vos réponses ne sont lues qu'en agrégé.",
        "Three minutes to say where you stand. Your answers are only read in aggregate.",
        [
            (SELF, "Votre niveau aujourd'hui", "Your level today", "", True, ""),
            (TEXT, "Qu'attendez-vous de ce programme ?", "What do you expect from this programme?", "", False, ""),
        ],
    ),
    ("baseline", "mentor"): (
        "Point de départ", "Starting point",
        "Trois minutes pour situer vos attentes. Vos réponses ne sont lues qu'en agrégé.",
        "Three minutes to state your expectations. Your answers are only read in aggregate.",
        [
            (S, "À quel point vous sentez-vous prêt·e à accompagner un dirigeant ?",
             "How ready do you feel to mentor a senior leader?", "", True, ""),
            (MULTI, "Qu'espérez-vous en retirer ?", "What do you hope to gain?",
             "Visibilité auprès de la direction | Visibility with leadership\n"
             "Compréhension de la stratégie | Understanding of the strategy\n"
             "Réseau | Network\nCompétences de leadership | Leadership skills", False, ""),
            (TEXT, "Autre chose à nous dire ?", "Anything else to tell us?", "", False, ""),
        ],
    ),
    # The session's page already rates the session (1–5, each way): the pulse asks something else.
    ("pulse", "mentee"): (
        "Une minute sur la séance", "One minute on the session", "", "",
        [
            (SINGLE, "Allez-vous essayer quelque chose de cette séance d'ici la prochaine ?",
             "Will you try something from this session before the next one?",
             "Oui, c'est prévu | Yes, planned\nPeut-être | Maybe\nPas cette fois | Not this time", True, ""),
            (TEXT, "Une chose que vous retenez", "One thing you take away", "", False, ""),
        ],
    ),
    ("pulse", "mentor"): (
        "Une minute sur la séance", "One minute on the session", "", "",
        [
            (SINGLE, "Vous êtes-vous senti·e libre de dire ce que vous pensiez ?",
             "Did you feel free to say what you think?",
             "Oui, tout à fait | Yes, fully\nEn partie | Partly\nPas vraiment | Not really", True, ""),
            (TEXT, "Une chose que vous retenez", "One thing you take away", "", False, ""),
        ],
    ),
    ("midpoint", "mentee"): (
        "Bilan à mi-parcours", "Mid-point review", "", "",
        [
            (S, "Êtes-vous satisfait·e du programme jusqu'ici ?", "How satisfied are you with the programme so far?",
             "", True, "satisfaction"),
            (SINGLE, "Le rythme des séances vous convient-il ?", "Is the pace of sessions right?",
             "Trop fréquent | Too frequent\nAdapté | Right\nPas assez fréquent | Too rare", True, ""),
            (TEXT, "Que faudrait-il changer ?", "What should change?", "", False, ""),
        ],
    ),
    ("midpoint", "mentor"): (
        "Bilan à mi-parcours", "Mid-point review", "", "",
        [
            (S, "Êtes-vous satisfait·e du programme jusqu'ici ?", "How satisfied are you with the programme so far?",
             "", True, "satisfaction"),
            (MENTOR, "Progrès de votre mentoré·e", "Your mentee's progress", "", True, ""),
            (TEXT, "Que faudrait-il changer ?", "What should change?", "", False, ""),
        ],
    ),
    ("final", "mentee"): (
        "Bilan final", "Final review", "", "",
        [
            (S, "Êtes-vous satisfait·e du programme ?", "How satisfied are you with the programme?", "", True,
             "satisfaction"),
            (R, "Recommanderiez-vous ce programme à un collègue ?", "Would you recommend this programme to a colleague?",
             "", True, ""),
            (SELF, "Votre niveau aujourd'hui", "Your level today", "", True, ""),
            (SINGLE, "Allez-vous changer votre façon de travailler ?", "Will you change the way you work?",
             "Oui, c'est déjà fait | Yes, already done\nOui, c'est prévu | Yes, planned\nPas encore | Not yet", True, ""),
            (TEXT, "Qu'est-ce qui a changé pour vous ?", "What changed for you?", "", False, ""),
        ],
    ),
    ("final", "mentor"): (
        "Bilan final", "Final review", "", "",
        [
            (S, "Êtes-vous satisfait·e du programme ?", "How satisfied are you with the programme?", "", True,
             "satisfaction"),
            (R, "Recommanderiez-vous ce programme à un collègue ?", "Would you recommend this programme to a colleague?",
             "", True, ""),
            (MENTOR, "Progrès de votre mentoré·e", "Your mentee's progress", "", True, ""),
            (MULTI, "Qu'en avez-vous retiré ?", "What did you gain?",
             "Visibilité auprès de la direction | Visibility with leadership\n"
             "Compréhension de la stratégie | Understanding of the strategy\n"
             "Réseau | Network\nCompétences de leadership | Leadership skills", False, ""),
            (TEXT, "Qu'est-ce qui a changé pour vous ?", "What changed for you?", "", False, ""),
        ],
    ),
}
