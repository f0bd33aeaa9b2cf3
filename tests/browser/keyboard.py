"""Driving pages with the keyboard only, as a keyboard user would."""

import pytest


def tab_to(page, selector_or_locator, limit: int = 80) -> None:
    """Press Tab until the element has focus; fail if the keyboard can never reach it."""
    target = page.locator(selector_or_locator) if isinstance(selector_or_locator, str) else selector_or_locator
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    pytest.fail(f"{selector_or_locator} cannot be reached with the Tab key")


def press(page, target, key: str = "Enter") -> None:
    """Tab to a link, button, radio or checkbox and press it (Enter, or Space for radios and checkboxes)."""
    tab_to(page, target)
    page.keyboard.press(key)


def type_into(page, target, text: str) -> None:
    tab_to(page, target)
    page.keyboard.type(text)


def choose_radio(page, target, limit: int = 80) -> None:
    """Tab into the radio group, then arrow down to the option (arrows also select it)."""
    target = page.locator(target) if isinstance(target, str) else target
    name = target.get_attribute("name")
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("name => document.activeElement && document.activeElement.name === name", name):
            break
    else:
        pytest.fail(f"the {name} radios cannot be reached with the Tab key")
    for _ in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            page.keyboard.press("Space")
            return
        page.keyboard.press("ArrowDown")
    pytest.fail(f"{target} cannot be reached with the arrow keys")
