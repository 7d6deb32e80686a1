using Probabilistic.Core.Random;

namespace Probabilistic.Core.Tests.Random;

public class NumpyRandomStateTests
{
    // Reference values printed by numpy 1.24 (np.random.RandomState(0)).
    [Fact]
    public void RandomSampleMatchesNumpy()
    {
        var rs = new NumpyRandomState(0);
        double[] expected = [0.5488135039273248, 0.7151893663724195, 0.6027633760716439];
        foreach (double e in expected) Assert.Equal(e, rs.RandomSample(), 15);
    }

    [Fact]
    public void RandnMatchesNumpy()
    {
        var rs = new NumpyRandomState(0);
        double[] expected = [1.764052345967664, 0.4001572083672233, 0.9787379841057392, 2.240893199201458, 1.8675579901499675];
        double[] got = rs.Randn(1, 5);
        for (int i = 0; i < 5; i++) Assert.Equal(expected[i], got[i], 13);
    }

    [Fact]
    public void ChoiceMatchesNumpy()
    {
        var rs = new NumpyRandomState(0);
        int[] expected = [2, 2, 2, 2, 1, 2, 1, 2, 2, 1];
        double[] p = [0.2, 0.3, 0.5];
        foreach (int e in expected) Assert.Equal(e, rs.Choice(p));
    }
}
