using Probabilistic.Reproduce;
using Probabilistic.Reproduce.Experiments;

namespace Probabilistic.Reproduce.Tests;

public class CommandLineTests
{
    [Theory]
    [InlineData("'no-such-experiment'", "run", "no-such-experiment")]
    [InlineData("'no-such-command'", "no-such-command")]
    [InlineData("'x'", "run", "data", "--seeds", "x")]
    [InlineData("at least 1", "run", "data", "--seeds", "0")]
    [InlineData("'--seeds'", "run", "data", "--seeds")]
    public async Task Usage_errors_run_nothing_and_exit_with_2_naming_the_problem(string named, params string[] args)
    {
        var error = new StringWriter();
        int code = await ReproduceCli.RunAsync(ExperimentRegistry.All, args, error);
        Assert.Equal(2, code);
        Assert.StartsWith("reproduce: ", error.ToString());
        Assert.Contains(named, error.ToString());
    }
}
