using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tests;

public class MigrationPlanTests
{
    private static readonly string[] Known = ["20250101_A", "20250201_B", "20250301_C"];

    [Fact]
    public void Compute_no_target_applies_every_pending_migration_in_order()
    {
        var plan = MigrationPlan.Compute(["20250101_A"], Known, null);

        Assert.Equal(["20250201_B", "20250301_C"], plan.ToApply);
        Assert.Empty(plan.ToRevert);
        Assert.Equal("up", plan.Direction);
    }

    [Fact]
    public void Compute_everything_applied_is_empty()
    {
        Assert.True(MigrationPlan.Compute(Known, Known, null).IsEmpty);
    }

    [Fact]
    public void Compute_earlier_target_reverts_newest_first()
    {
        var plan = MigrationPlan.Compute(Known, Known, "20250101_A");

        Assert.Empty(plan.ToApply);
        Assert.Equal(["20250301_C", "20250201_B"], plan.ToRevert);
        Assert.Equal("down", plan.Direction);
    }

    [Fact]
    public void Compute_target_zero_reverts_everything()
    {
        var plan = MigrationPlan.Compute(Known, Known, MigrationPlan.InitialDatabase);

        Assert.Equal(["20250301_C", "20250201_B", "20250101_A"], plan.ToRevert);
    }

    [Fact]
    public void Compute_target_between_applies_only_up_to_it()
    {
        var plan = MigrationPlan.Compute([], Known, "20250201_B");

        Assert.Equal(["20250101_A", "20250201_B"], plan.ToApply);
    }

    [Fact]
    public void Compute_applied_migration_unknown_to_the_assembly_is_not_reverted()
    {
        var plan = MigrationPlan.Compute(["20250101_A", "20240101_Gone"], Known, "20240101_Gone");

        Assert.Equal(["20250101_A"], plan.ToRevert);
    }

    [Fact]
    public void Describe_names_each_migration()
    {
        Assert.Equal("revert 1 migration (20250301_C)", MigrationPlan.Compute(Known, Known, "20250201_B").Describe());
    }
}
