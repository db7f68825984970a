# settings.sh: the shipped models' training settings, in one place, for
# models/build.sh (which chooses C and writes the models) and
# models/learning_curve.sh (which retrains the topic model on parts of
# the corpus).  Sourced, not run; each value is split into words.
TOPIC_SETTINGS="--task topic --labels military,negotiation,humanitarian,other
  --lead 8 --context --solver l2svm-dual --nb"
STANCE_SETTINGS="--task stance --labels pro_government,pro_opposition,neutral
  --lead 8 --context --solver l2svm-dual --nb
  --class-weight pro_government=2,pro_opposition=2"
