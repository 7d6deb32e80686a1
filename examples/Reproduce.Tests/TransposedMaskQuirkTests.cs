using Probabilistic.Distill.Bayesian;
using Probabilistic.Reproduce.Experiments.Bayesian;

namespace Probabilistic.Reproduce.Tests;

public class TransposedMaskQuirkTests
{
    [Fact]
    public void Quirk_reads_the_transposed_mask_positions_from_the_row_major_teacher_storage()
    {
        // Teacher [3, 4, 2]; keep neurons {1, 3} of layer 1 → student [3, 2, 2].
        var teacher = new NetworkStructure([3, 4, 2]);
        var plan = ComposedAlignment.Compose(teacher, [new NeuronRemoval(1, [0, 2])]);
        int[] copied = TransposedMaskQuirk.TeacherIndices(teacher, plan.Target, plan.Kept);
        // U_1 (4×3, offset 0): mask [in 3, out 4] true at i·4 + o for i ∈ {0,1,2}, o ∈ {1,3}: 1, 3, 5, 7, 9, 11.
        Assert.Equal(new[] { 1, 3, 5, 7, 9, 11 }, copied[..6]);
        // The correct rows 1 and 3 of U_1 are entries 3, 4, 5 and 9, 10, 11.
        Assert.Equal(new[] { 3, 4, 5, 9, 10, 11 }, plan.Kept[..6]);
        // U_2 (2×4, offset 12): keep columns {1, 3}, all rows; mask [in 4, out 2] true at i·2 + o, i ∈ {1,3}: 2, 3, 6, 7.
        Assert.Equal(new[] { 14, 15, 18, 19 }, copied[6..]);
        Assert.Equal(new[] { 13, 15, 17, 19 }, plan.Kept[6..]);
    }

    [Fact]
    public void Quirk_is_the_identity_on_a_layer_that_keeps_everything()
    {
        // FashionMNIST-like layer removal: the output layer is copied whole, so only U_1 is scrambled.
        var teacher = new NetworkStructure([4, 6, 2, 3]);
        var plan = ComposedAlignment.Compose(teacher, [new NeuronRemoval(1, [0, 1, 3, 4]), new LayerRemoval(2)]);
        Assert.Equal(new NetworkStructure([4, 2, 3]), plan.Target);
        int[] copied = TransposedMaskQuirk.TeacherIndices(teacher, plan.Target, plan.Kept);
        int u3 = plan.Target.LayerOffset(2);
        Assert.Equal(plan.Kept[u3..], copied[u3..]);
        Assert.NotEqual(plan.Kept[..u3], copied[..u3]);
    }
}
