"""Each role's home page after sign-in."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.access import office_of
from accounts.roles import Role
from coordination.home import selectors


@login_required
def home(request):
    """Each role's landing page after sign-in."""
    user = request.user
    today = timezone.localdate()
    role = user.role
    if role == Role.COORDINATOR:
        context = {
            "follow_ups": selectors.follow_ups_for(user, today=today),
            "open_follow_up_count": selectors.open_follow_up_count(user),
            "referrals": selectors.referrals_waiting_for(user, today),
            "recent_logs": selectors.recent_logs_for(user),
            "transitions": selectors.upcoming_transitions(user, today=today),
            "today": today,
        }
        return render(request, "coordination/home_coordinator.html", context)
    if role == Role.SUPERVISOR:
        context = selectors.supervisor_overview(office_of(request), today=today)
        return render(request, "coordination/home_supervisor.html", context)
    if role == Role.WARD_STAFF:
        context = {"categories": selectors.provider_counts_by_category()}
        return render(request, "coordination/home_ward_staff.html", context)
    if role == Role.ADMIN:
        return render(request, "coordination/home_admin.html", selectors.admin_overview())
    if role == Role.CENTRE:
        # The centre has no office: its home is the page of every office's figures (reporting's).
        return redirect("centre:index")
    # Signed in but given no role yet: say so rather than show anything.
    return render(request, "coordination/home_no_role.html", status=403)
