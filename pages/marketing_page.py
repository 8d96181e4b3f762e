"""Marketing page (url: /marketing): did the spend pay back (channel report, cohort payback)."""
from lib.ui.marketing import view as marketing_view

marketing_view.render()
