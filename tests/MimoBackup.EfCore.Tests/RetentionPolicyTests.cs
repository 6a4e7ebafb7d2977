using System.Globalization;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tests;

/// <summary>SPEC §6 on synthetic catalogs, with survivor sets written out by hand.</summary>
public class RetentionPolicyTests
{
    private static readonly DateTimeOffset Now = At("2026-04-15 12:00");

    private static DateTimeOffset At(string utc)
        => DateTimeOffset.ParseExact(utc, ["yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static RetentionCandidate Backup(string name, string utc, string version = "1.0.0", bool pinned = false, bool verified = true)
        => new(name, At(utc), pinned, verified, version, Complete: true);

    private static RetentionCandidate Leftover(string name, DateTimeOffset time)
        => new(name, time, Pinned: false, Verified: false, AppVersion: null, Complete: false);

    private static Dictionary<string, string> Decide(RetentionPolicy policy, DateTimeOffset now, params RetentionCandidate[] candidates)
        => policy.Decide(candidates, now).ToDictionary(d => d.Name, d => d.Reason);

    private static string[] Survivors(IEnumerable<RetentionDecision> decisions)
        => [.. decisions.Where(d => d.Keep).Select(d => d.Name).Order(StringComparer.Ordinal)];

    [Fact]
    public void Decide_days_then_newest_of_each_month_for_twelve_months_back_from_the_current_month()
    {
        var reasons = Decide(RetentionPolicy.Default, Now,
            Backup("a", "2026-04-10 08:00"),
            Backup("b", "2026-03-20 08:00"),
            Backup("c", "2026-03-10 08:00"),
            Backup("d", "2026-02-28 23:59"),
            Backup("e", "2026-02-01 08:00"),
            Backup("f", "2025-04-30 08:00"),
            Backup("g", "2025-03-31 23:00"),
            Backup("h", "2024-01-01 08:00", pinned: true));

        Assert.Equal(new Dictionary<string, string>
        {
            ["a"] = "kept: within 30 days",
            ["b"] = "kept: within 30 days",
            ["c"] = "deleted: expired", // March's newest (b) is still within the 30 days.
            ["d"] = "kept: monthly 2026-02",
            ["e"] = "deleted: expired",
            ["f"] = "kept: monthly 2025-04", // Twelve whole months before April 2026.
            ["g"] = "deleted: expired",
            ["h"] = "kept: pinned",
        }, reasons);
    }

    [Fact]
    public void Decide_month_leaves_the_window_when_the_thirteenth_month_begins()
    {
        var candidates = new[] { Backup("april-2025", "2025-04-30 08:00"), Backup("newest", "2026-04-30 08:00") };

        Assert.Equal("kept: monthly 2025-04", Decide(RetentionPolicy.Default, At("2026-04-30 23:59:59"), candidates)["april-2025"]);
        Assert.Equal("deleted: expired", Decide(RetentionPolicy.Default, At("2026-05-01 00:00"), candidates)["april-2025"]);
    }

    [Fact]
    public void Decide_days_and_months_are_counted_in_utc()
    {
        // 23:30 at UTC-2 on April 30 is 01:30 UTC on May 1: it is May's backup, and April's newest is "april".
        var late = new RetentionCandidate("late", new DateTimeOffset(2025, 4, 30, 23, 30, 0, TimeSpan.FromHours(-2)), false, true, "1.0", true);
        var april = Backup("april", "2025-04-30 20:00");
        var may = Backup("may", "2025-05-02 08:00");

        var reasons = Decide(RetentionPolicy.Default, Now, late, april, may, Backup("newest", "2026-04-14 08:00"));

        Assert.Equal("kept: monthly 2025-04", reasons["april"]);
        Assert.Equal("deleted: expired", reasons["late"]);
        Assert.Equal("kept: monthly 2025-05", reasons["may"]);
    }

    [Fact]
    public void Decide_day_boundary_is_exactly_days_times_24_hours()
    {
        var policy = new RetentionPolicy(Days: 30, Months: 0);

        var reasons = Decide(policy, Now,
            new RetentionCandidate("edge", Now.AddDays(-30), false, true, "1.0", true),
            new RetentionCandidate("past-edge", Now.AddDays(-30).AddSeconds(-1), false, false, "1.0", true));

        Assert.Equal("kept: within 30 days", reasons["edge"]);
        Assert.Equal("deleted: expired", reasons["past-edge"]);
    }

    [Fact]
    public void Decide_last_backup_before_each_major_version_change_is_kept()
    {
        var reasons = Decide(new RetentionPolicy(Days: 30, Months: 0), Now,
            Backup("v1-a", "2025-01-05 08:00", "1.0.0"),
            Backup("v1-b", "2025-01-10 08:00", "1.2.0+abc"),
            Backup("unknown", "2025-01-15 08:00", "not a version"),
            Backup("v2-a", "2025-01-20 08:00", "v2.0.0"),
            Backup("v2-b", "2025-02-01 08:00", "2.1"),
            Backup("v2-c", "2025-02-03 08:00", "2.5.0-rc.1"),
            Backup("v3-a", "2025-02-10 08:00", "3.0.0"),
            Backup("v3-b", "2025-02-11 08:00", "3.0.1"),
            Backup("v2-again", "2025-02-12 08:00", "2.6.0"),
            Backup("v3-again", "2025-02-13 08:00", "3.1.0"),
            Backup("newest", "2026-04-14 08:00", "3.2.0"));

        Assert.Equal(new Dictionary<string, string>
        {
            ["v1-a"] = "deleted: expired",
            ["v1-b"] = "kept: last before 1.x -> 2.x",
            ["unknown"] = "deleted: expired", // A version without a number takes no part.
            ["v2-a"] = "deleted: expired",
            ["v2-b"] = "deleted: expired",
            ["v2-c"] = "kept: last before 2.x -> 3.x",
            ["v3-a"] = "deleted: expired",
            ["v3-b"] = "kept: last before 3.x -> 2.x", // Going back down is a change too.
            ["v2-again"] = "kept: last before 2.x -> 3.x",
            ["v3-again"] = "deleted: expired",
            ["newest"] = "kept: within 30 days",
        }, reasons);
    }

    [Fact]
    public void Decide_newest_verified_backup_survives_even_when_everything_is_old()
    {
        var reasons = Decide(new RetentionPolicy(Days: 30, Months: 0), Now,
            Backup("old", "2025-01-01 08:00"),
            Backup("newest-verified", "2025-02-01 08:00"),
            Backup("newer-but-unverified", "2025-03-01 08:00", verified: false));

        Assert.Equal("deleted: expired", reasons["old"]);
        Assert.Equal("kept: newest verified", reasons["newest-verified"]);
        Assert.Equal("deleted: expired", reasons["newer-but-unverified"]);
    }

    [Fact]
    public void Decide_month_is_represented_by_its_newest_verified_backup()
    {
        var reasons = Decide(RetentionPolicy.Default, Now,
            Backup("verified", "2026-01-10 08:00"),
            Backup("unverified", "2026-01-20 08:00", verified: false),
            Backup("only-unverified", "2025-12-20 08:00", verified: false),
            Backup("newest", "2026-04-14 08:00"));

        Assert.Equal("kept: monthly 2026-01", reasons["verified"]);
        Assert.Equal("deleted: expired", reasons["unverified"]);
        Assert.Equal("kept: monthly 2025-12", reasons["only-unverified"]);
    }

    [Fact]
    public void Decide_zero_months_keeps_no_monthly_backups()
    {
        var reasons = Decide(new RetentionPolicy(Days: 1, Months: 0), Now,
            Backup("yesterday", "2026-04-14 13:00"),
            Backup("this-month", "2026-04-02 08:00"),
            Backup("last-month", "2026-03-31 08:00"));

        Assert.Equal("kept: within 1 day", reasons["yesterday"]);
        Assert.Equal("deleted: expired", reasons["this-month"]);
        Assert.Equal("deleted: expired", reasons["last-month"]);
    }

    [Fact]
    public void Decide_leftovers_go_after_an_hour_and_never_count_as_backups()
    {
        var reasons = Decide(RetentionPolicy.Default, Now,
            Leftover(".backup_20260415_100000.0a1b2c3d.tmp", Now.AddHours(-2)),
            Leftover("pre-migration_20260415_114000.db", Now.AddMinutes(-20)),
            Leftover("backup_20260415_105900.db", Now.AddMinutes(-61)),
            Backup("old", "2025-01-01 08:00"));

        Assert.Equal("deleted: incomplete leftover", reasons[".backup_20260415_100000.0a1b2c3d.tmp"]);
        Assert.Equal("kept: incomplete, younger than an hour", reasons["pre-migration_20260415_114000.db"]);
        Assert.Equal("deleted: incomplete leftover", reasons["backup_20260415_105900.db"]);
        Assert.Equal("kept: newest verified", reasons["old"]);
    }

    [Fact]
    public void Decide_clock_that_went_backwards_deletes_nothing()
    {
        var candidates = new[]
        {
            Backup("expired", "2024-01-01 08:00"),
            Backup("from-the-future", "2026-04-16 09:00"),
            Leftover(".backup_20240101_000000.0a1b2c3d.tmp", At("2024-01-01 00:00")),
        };

        var decisions = RetentionPolicy.Default.Decide(candidates, Now);

        Assert.All(decisions, d => Assert.True(d.Keep));
        Assert.All(decisions, d => Assert.Equal("kept: clock went backwards (newest backup is dated after now)", d.Reason));
    }

    [Fact]
    public void Decide_backup_a_little_ahead_of_now_is_within_the_clock_tolerance()
    {
        var reasons = Decide(RetentionPolicy.Default, Now,
            Backup("expired", "2024-01-01 08:00"),
            new RetentionCandidate("two-minutes-ahead", Now.AddMinutes(2), false, true, "1.0", true));

        Assert.Equal("deleted: expired", reasons["expired"]);
        Assert.Equal("kept: within 30 days", reasons["two-minutes-ahead"]);
    }

    [Fact]
    public void Decide_empty_catalog_decides_nothing()
    {
        Assert.Empty(RetentionPolicy.Default.Decide([], Now));
    }

    /// <summary>
    /// Three backups a day for two years (730 days up to 2026-04-15), app 1.x until 2024, 2.x until September 2025,
    /// 3.x since, two pins: every survivor is listed below from the calendar, not from the policy.
    /// </summary>
    [Fact]
    public void Decide_two_years_of_three_backups_a_day_keeps_exactly_the_expected_set()
    {
        var now = At("2026-04-15 20:00");
        var candidates = new List<RetentionCandidate>();
        for (var day = new DateTime(2024, 4, 16, 0, 0, 0, DateTimeKind.Utc); day <= new DateTime(2026, 4, 15, 0, 0, 0, DateTimeKind.Utc); day = day.AddDays(1))
        {
            foreach (var hour in new[] { 3, 11, 19 })
            {
                var created = new DateTimeOffset(day.AddHours(hour));
                var version = created < At("2025-01-01 00:00") ? "1.4.2" : created < At("2025-10-01 00:00") ? "2.0.7" : "3.1.0";
                var name = Name(created);
                candidates.Add(new RetentionCandidate(name, created, name is "pre-migration_20240615_110000.db" or "pre-migration_20260410_030000.db", true, version, true));
            }
        }

        var decisions = RetentionPolicy.Default.Decide(candidates, now);

        var expected = new SortedSet<string>(StringComparer.Ordinal);
        // Within 30 days: from 2026-03-16 20:00 on, i.e. every backup of March 17 to April 15.
        for (var day = new DateTime(2026, 3, 17, 0, 0, 0, DateTimeKind.Utc); day <= new DateTime(2026, 4, 15, 0, 0, 0, DateTimeKind.Utc); day = day.AddDays(1))
        {
            expected.UnionWith([Name(day.AddHours(3)), Name(day.AddHours(11)), Name(day.AddHours(19))]);
        }

        // Monthly: the last backup of April 2025 to February 2026 (March and April 2026's are within the 30 days).
        string[] monthly =
        [
            "20250430", "20250531", "20250630", "20250731", "20250831", "20250930", "20251031", "20251130", "20251231", "20260131", "20260228",
        ];
        expected.UnionWith(monthly.Select(d => "pre-migration_" + d + "_190000.db"));
        expected.Add("pre-migration_20241231_190000.db"); // last before 1.x -> 2.x
        expected.Add("pre-migration_20240615_110000.db"); // pinned

        Assert.Equal(2190, candidates.Count);
        Assert.Equal(90 + 11 + 1 + 1, expected.Count);
        Assert.Equal(expected.ToArray(), Survivors(decisions));

        var reasons = decisions.ToDictionary(d => d.Name, d => d.Reason);
        Assert.Equal("kept: last before 1.x -> 2.x", reasons["pre-migration_20241231_190000.db"]);
        Assert.Equal("kept: last before 2.x -> 3.x", reasons["pre-migration_20250930_190000.db"]);
        Assert.Equal("kept: monthly 2025-04", reasons["pre-migration_20250430_190000.db"]);
        Assert.Equal("kept: monthly 2026-02", reasons["pre-migration_20260228_190000.db"]);
        Assert.Equal("kept: pinned", reasons["pre-migration_20240615_110000.db"]);
        Assert.Equal("kept: pinned", reasons["pre-migration_20260410_030000.db"]);
        Assert.Equal("kept: within 30 days", reasons["pre-migration_20260317_030000.db"]);
        Assert.Equal("deleted: expired", reasons["pre-migration_20260316_190000.db"]);
        Assert.Equal("deleted: expired", reasons["pre-migration_20250331_190000.db"]);
        Assert.Equal("deleted: expired", reasons["pre-migration_20250930_110000.db"]);
        Assert.Equal(2190 - 103, decisions.Count(d => d.Reason == "deleted: expired"));

        // The same catalog after the clock was set back a day: nothing at all is deleted.
        var jumped = RetentionPolicy.Default.Decide(candidates, now.AddDays(-1));
        Assert.All(jumped, d => Assert.Equal("kept: clock went backwards (newest backup is dated after now)", d.Reason));

        static string Name(DateTimeOffset created)
            => "pre-migration_" + created.UtcDateTime.ToString("yyyyMMdd_HHmmss", CultureInfo.InvariantCulture) + ".db";
    }

    [Theory]
    [InlineData("2.3.1", 2L)]
    [InlineData("v3", 3L)]
    [InlineData(" 10.0.0-rc.1+abc ", 10L)]
    [InlineData("1", 1L)]
    [InlineData("beta", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void Major_reads_the_leading_number(string? version, long? major)
    {
        Assert.Equal(major, RetentionPolicy.Major(version));
    }
}
