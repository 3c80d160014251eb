import pytest

from common.kana import fold_for_comparison, fold_for_search, fold_for_storage, fold_kana_only


@pytest.mark.parametrize("typed", ["あおやま　ひなた", "ｱｵﾔﾏ ﾋﾅﾀ", "アオヤマ  ヒナタ", " アオヤマ\tヒナタ "])
def test_a_clients_furigana_is_stored_in_full_width_katakana_with_single_spaces(typed):
    assert fold_for_storage(typed) == "アオヤマ ヒナタ"


def test_storage_folds_letters_and_brackets_to_half_width_too():
    assert fold_for_storage("ＡＢ（カ）") == "AB(カ)"


@pytest.mark.parametrize("typed", ["あおやま ひなた", "ｱｵﾔﾏﾋﾅﾀ", "アオヤマ　ヒナタ"])
def test_names_compare_without_spaces_width_or_hiragana(typed):
    assert fold_for_comparison(typed) == "アオヤマヒナタ"


def test_a_providers_furigana_keeps_its_letters_digits_and_brackets_as_typed():
    assert fold_kana_only("ほくぶ　ｾﾝﾀｰ（クブ）ＡＢ１") == "ホクブ センター（クブ）ＡＢ１"


@pytest.mark.parametrize("typed", ["あお やま", "ｱｵ ﾔﾏ", " アオ　ヤマ "])
def test_the_client_pickers_query_loses_its_spaces_and_kana_differences(typed):
    assert fold_for_search(typed) == "アオヤマ"


def test_the_pickers_query_keeps_full_width_letters_as_typed():
    assert fold_for_search("ＡＢ あ") == "ＡＢア"
