// README example: a teacher MLP on FashionMNIST, then a logistic student trained on labels + the teacher's
// softened outputs (Hinton: cross-entropy + T²·KL at temperature T). Run: dotnet run --project examples/QuickStart -c Release
using Probabilistic.Core.Random;
using Probabilistic.Nn.Autograd;
using Probabilistic.Nn.Data;
using Probabilistic.Nn.Losses;
using Probabilistic.Nn.Models;
using Probabilistic.Nn.Optim;
using Probabilistic.Nn.Tensors;
using Probabilistic.Nn.Training;

var data = FashionMnist.Load();                                  // Debian's dataset-fashion-mnist (scripts/setup.sh)
var train = new BatchLoader(data.Train, batchSize: 64, seed: 1);
var test = new BatchLoader(data.Test, batchSize: 1000, seed: 0, shuffle: false);

var teacher = Zoo.Mlp784_800_50_10(new Rng(1));
new Trainer(teacher, new Adam(teacher.Parameters(), 1e-3)).Fit(e => train.LabelledBatches(e - 1), epochs: 2);
Console.WriteLine($"teacher  {Trainer.Evaluate(teacher, test.LabelledBatches(0))}");

const float T = 2f;
var student = Zoo.Logistic(new Rng(2));
var distillation = new Trainer(student, new Adam(student.Parameters(), 1e-3))
{
    LossFunction = (logits, batch) =>
    {
        Tensor teacherLogits;
        using (GradMode.NoGrad()) teacherLogits = teacher.Forward(batch.Inputs);
        return Ops.Add(Loss.CrossEntropy(logits, batch.Labels), Loss.DistillationKl(logits, teacherLogits, T));
    },
};
distillation.Fit(e => train.LabelledBatches(e - 1), epochs: 2);
Console.WriteLine($"student  {Trainer.Evaluate(student, test.LabelledBatches(0))}");
