"""Named garment colours, skin tones and hair colours used by the generator."""

COLOURS: dict[str, tuple[int, int, int]] = {
    "Black": (28, 28, 30),
    "White": (240, 240, 236),
    "Navy Blue": (30, 42, 84),
    "Blue": (40, 90, 180),
    "Sky Blue": (130, 180, 225),
    "Red": (190, 32, 40),
    "Maroon": (110, 26, 40),
    "Green": (40, 130, 70),
    "Olive": (100, 105, 50),
    "Khaki": (190, 170, 120),
    "Beige": (220, 200, 170),
    "Brown": (110, 70, 40),
    "Grey": (140, 140, 145),
    "Charcoal": (60, 62, 66),
    "Pink": (235, 140, 170),
    "Purple": (100, 50, 130),
    "Yellow": (240, 200, 50),
    "Orange": (235, 120, 40),
    "Teal": (30, 120, 125),
    "Mustard": (205, 160, 40),
    "Cream": (245, 235, 210),
    "Lavender": (180, 160, 215),
}

DENIM_SHADES: dict[str, tuple[int, int, int]] = {
    "Dark Blue": (32, 48, 88),
    "Blue": (55, 85, 140),
    "Light Blue": (120, 150, 190),
    "Black": (40, 42, 48),
    "Grey": (105, 110, 120),
}

SKIN_TONES: tuple[tuple[int, int, int], ...] = (
    (255, 224, 196),
    (241, 194, 160),
    (224, 172, 128),
    (198, 134, 92),
    (160, 102, 66),
    (120, 74, 46),
    (84, 52, 34),
)

HAIR_COLOURS: tuple[tuple[int, int, int], ...] = (
    (20, 16, 14),
    (60, 40, 26),
    (110, 74, 40),
    (180, 140, 80),
    (150, 60, 30),
    (160, 160, 160),
)
