"""Every write to engagement surveys. Views, commands, tasks and the demo call these.

One module per part: surveys.py (HR builds, launches, closes and runs the schedule of surveys);
responses.py (answering) and actions.py (action plans) are added by their parts.
"""
