"""The default learning domains offered to a new programme (bilingual names)."""

DEFAULT_DOMAINS = [
    ("generative-ai", "IA générative", "Generative AI"),
    ("social-media", "Réseaux sociaux", "Social media"),
    ("collaboration-tools", "Outils collaboratifs", "Collaboration tools"),
    ("cybersecurity", "Cybersécurité", "Cybersecurity"),
    ("agile-methods", "Méthodes agiles", "Agile methods"),
    ("generational-trends", "Tendances générationnelles", "Generational trends"),
    ("diversity-inclusion", "Diversité et inclusion", "Diversity & inclusion"),
    ("csr", "RSE", "CSR"),
]
