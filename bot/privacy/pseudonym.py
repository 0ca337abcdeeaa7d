"""Names staff can say out loud ("Blue Heron 42") instead of anything that identifies a texter."""
import secrets

ADJECTIVES = """Amber Blue Brave Bright Calm Cedar Clever Coral Crimson Gentle Golden Green Grey Hazel Indigo
Ivory Jade Kind Lively Lucky Maple Misty Noble Olive Quiet Rapid Rosy Ruby Sandy Silver Sky Snowy Steady
Sunny Swift Teal Tidy Violet Warm Wild""".split()
ANIMALS = """Badger Bear Beaver Bison Crane Deer Dove Eagle Elk Falcon Finch Fox Hare Hawk Heron Jay Lark Lynx
Magpie Marten Moose Otter Owl Pika Puffin Quail Raven Robin Salmon Seal Sparrow Swallow Swan Trout Turtle
Whale Wolf Wren""".split()


def new_pseudonym() -> str:
    """Random, so it says nothing about the texter; about 160,000 possibilities."""
    return f"{secrets.choice(ADJECTIVES)} {secrets.choice(ANIMALS)} {secrets.randbelow(90) + 10}"
