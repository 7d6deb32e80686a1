global using Range = Probabilistic.Infer.Graph.Range;
using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Model.Infer.Tests")]
